using Parley.Client.Api;

namespace Parley.Client.Storage;

/// <summary>
/// This device's registration: server, number, credentials, identity and key-id counters. Holds
/// secrets (password, identity private key, profile key): <see cref="ToString"/> leaves them out.
/// </summary>
public sealed record LocalAccount(
    Uri Server,
    string Number,
    string AccountId,
    int DeviceId,
    string Password,
    uint RegistrationId,
    byte[] IdentityKeyPair,
    string? DeviceName,
    uint NextPreKeyId,
    uint NextKyberPreKeyId,
    uint SignedPreKeyId,
    byte[]? ProfileKey = null)
{
    public DeviceCredentials Credentials => new(AccountId, DeviceId, Password);

    public override string ToString() => $"{AccountId}.{DeviceId} on {Server}";
}
