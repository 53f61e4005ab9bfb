namespace Parley.Server.Accounts;

/// <summary>A device's address: the unit that has its own keys, sessions and envelope queue.</summary>
[GenerateSerializer, Immutable]
public readonly record struct DeviceAddress([property: Id(0)] string AccountId, [property: Id(1)] int DeviceId)
{
    public override string ToString() => $"{AccountId}.{DeviceId}";
}

/// <summary>What the server knows about a registered device (public keys only).</summary>
public sealed record DeviceRecord(
    string AccountId,
    int DeviceId,
    int RegistrationId,
    byte[] IdentityKey,
    SignedPreKey SignedPreKey,
    string? Name,
    long CreatedAt);

public sealed record SignedPreKey(int KeyId, byte[] PublicKey, byte[] Signature);

/// <summary>A device id with its registration id, as the send path checks them.</summary>
public readonly record struct DeviceRegistration(int DeviceId, int RegistrationId);
