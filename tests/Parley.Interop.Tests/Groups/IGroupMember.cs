using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Groups;

/// <summary>One device in a sender-key group: Parley.Crypto or libsignal.</summary>
public interface IGroupMember
{
    string Implementation { get; }

    string Name { get; }

    uint DeviceId { get; }

    /// <summary>This device's SenderKeyDistributionMessage for the distribution (created on first use).</summary>
    Task<byte[]> CreateDistributionAsync(Guid distributionId);

    Task ProcessDistributionAsync(IGroupMember sender, byte[] distribution);

    /// <summary>A serialized SenderKeyMessage.</summary>
    Task<byte[]> EncryptAsync(Guid distributionId, byte[] plaintext);

    /// <summary>Decrypts or throws; the exception message says why.</summary>
    Task<byte[]> DecryptAsync(IGroupMember sender, byte[] message);
}

public sealed class LibsignalGroupMember(LibsignalHarness harness, LibsignalParty party) : IGroupMember
{
    public static async Task<LibsignalGroupMember> CreateAsync(LibsignalHarness harness, string name, uint deviceId = 1) =>
        new(harness, await harness.CreatePartyAsync(name, deviceId));

    public string Implementation => "libsignal";

    public string Name => party.Name;

    public uint DeviceId => party.DeviceId;

    public LibsignalParty Party => party;

    public Task<byte[]> CreateDistributionAsync(Guid distributionId) => harness.GroupCreateDistributionAsync(party, distributionId);

    public Task ProcessDistributionAsync(IGroupMember sender, byte[] distribution) =>
        harness.GroupProcessDistributionAsync(party, sender.Name, sender.DeviceId, distribution);

    public Task<byte[]> EncryptAsync(Guid distributionId, byte[] plaintext) => harness.GroupEncryptAsync(party, distributionId, plaintext);

    public Task<byte[]> DecryptAsync(IGroupMember sender, byte[] message) => harness.GroupDecryptAsync(party, sender.Name, sender.DeviceId, message);
}
