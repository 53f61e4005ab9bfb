using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sessions;

/// <summary>
/// One device that speaks the 1:1 Signal protocol: Parley.Crypto or libsignal. Scenarios drive two
/// of them without knowing which implementation is which, so every scenario runs in both directions.
/// </summary>
public interface ISignalDevice
{
    /// <summary>Who this device is, e.g. "parley" or "libsignal", for failure messages.</summary>
    string Implementation { get; }

    string Name { get; }

    uint DeviceId { get; }

    /// <summary>Generates and stores fresh prekeys (a one-time prekey only if asked), returns the public bundle.</summary>
    Task<BundleData> NewBundleAsync(bool withOneTimePreKey);

    Task ProcessBundleAsync(ISignalDevice peer, BundleData bundle);

    Task<bool> HasCurrentSessionAsync(ISignalDevice peer);

    Task ArchiveSessionAsync(ISignalDevice peer);

    Task<WireMessage> EncryptAsync(ISignalDevice peer, byte[] plaintext);

    /// <summary>Decrypts or throws; the exception message says why.</summary>
    Task<byte[]> DecryptAsync(ISignalDevice peer, WireMessage message);
}

/// <summary>A device inside the libsignal harness.</summary>
public sealed class LibsignalDevice(LibsignalHarness harness, LibsignalParty party) : ISignalDevice
{
    public static async Task<LibsignalDevice> CreateAsync(LibsignalHarness harness, string name, uint deviceId = 1) =>
        new(harness, await harness.CreatePartyAsync(name, deviceId));

    public string Implementation => "libsignal";

    public string Name => party.Name;

    public uint DeviceId => party.DeviceId;

    public LibsignalParty Party => party;

    public Task<BundleData> NewBundleAsync(bool withOneTimePreKey) => harness.GetBundleAsync(party, withOneTimePreKey);

    public Task ProcessBundleAsync(ISignalDevice peer, BundleData bundle) =>
        harness.ProcessBundleAsync(party, peer.Name, peer.DeviceId, bundle);

    public async Task<bool> HasCurrentSessionAsync(ISignalDevice peer) =>
        (await harness.SessionInfoAsync(party, peer.Name, peer.DeviceId))["hasSession"]!.GetValue<bool>();

    public Task ArchiveSessionAsync(ISignalDevice peer) =>
        harness.SendAsync(LibsignalCommands.Command("archiveSession", ("party", party.Name), ("peer", peer.Name), ("peerDevice", peer.DeviceId)));

    public Task<WireMessage> EncryptAsync(ISignalDevice peer, byte[] plaintext) =>
        harness.EncryptAsync(party, peer.Name, peer.DeviceId, plaintext);

    public Task<byte[]> DecryptAsync(ISignalDevice peer, WireMessage message) =>
        harness.DecryptAsync(party, peer.Name, peer.DeviceId, message);
}
