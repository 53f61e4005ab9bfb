using Parley.Crypto;
using Parley.Crypto.Groups;
using Parley.Crypto.Messages;
using Parley.Crypto.Stores;

namespace Parley.Interop.Tests.Groups;

/// <summary>A group member running Parley.Crypto's sender keys over its in-memory stores.</summary>
public sealed class ParleyGroupMember(string name, uint deviceId = 1) : IGroupMember
{
    public InMemorySignalProtocolStore Store { get; } = new(KeyHelper.GenerateIdentityKeyPair(), KeyHelper.GenerateRegistrationId());

    public string Implementation => "parley";

    public string Name => name;

    public uint DeviceId => deviceId;

    public ProtocolAddress Address => new(name, deviceId);

    public async Task<byte[]> CreateDistributionAsync(Guid distributionId) =>
        (await new GroupSessionBuilder(Store).CreateAsync(Address, distributionId)).Serialize();

    public Task ProcessDistributionAsync(IGroupMember sender, byte[] distribution) =>
        new GroupSessionBuilder(Store).ProcessAsync(new ProtocolAddress(sender.Name, sender.DeviceId), SenderKeyDistributionMessage.Deserialize(distribution));

    public async Task<byte[]> EncryptAsync(Guid distributionId, byte[] plaintext) =>
        (await new GroupCipher(Store).EncryptAsync(Address, distributionId, plaintext)).Serialize();

    public Task<byte[]> DecryptAsync(IGroupMember sender, byte[] message) =>
        new GroupCipher(Store).DecryptAsync(new ProtocolAddress(sender.Name, sender.DeviceId), SenderKeyMessage.Deserialize(message));
}
