using Google.Protobuf;
using Parley.Crypto;
using Parley.Crypto.Keys;
using Parley.Protocol.Devices;
using Parley.Protocol.Rest;

namespace Parley.Client.Devices;

/// <summary>
/// Signing and verifying an account's device list (XEdDSA by the primary's identity key), so that
/// a server cannot slip an extra device into an account without its primary's consent.
/// </summary>
public static class DeviceListSigner
{
    /// <summary>Signs the list of <paramref name="devices"/> (id and identity key each) as the primary of <paramref name="accountId"/>.</summary>
    public static SignedDeviceListDto Sign(IdentityKeyPair primary, string accountId, long version, IEnumerable<(int DeviceId, byte[] IdentityKey)> devices)
    {
        ArgumentNullException.ThrowIfNull(primary);
        var list = new DeviceList { AccountId = accountId, Version = (ulong)version, Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
        list.Devices.AddRange(devices.OrderBy(d => d.DeviceId)
            .Select(d => new DeviceListEntry { DeviceId = (uint)d.DeviceId, IdentityKey = ByteString.CopyFrom(d.IdentityKey) }));
        var bytes = list.ToByteArray();
        return new SignedDeviceListDto(bytes, primary.PrivateKey.CalculateSignature(DeviceListFormat.SignedBytes(bytes)));
    }

    /// <summary>
    /// The list, when <paramref name="signed"/> carries a valid signature by <paramref name="primaryIdentity"/>
    /// and names <paramref name="accountId"/>; null otherwise (forged, tampered, or another account's).
    /// </summary>
    public static DeviceList? Verify(SignedDeviceListDto? signed, string accountId, IdentityKey primaryIdentity)
    {
        ArgumentNullException.ThrowIfNull(primaryIdentity);
        if (signed?.List is null || signed.Signature is null
            || !primaryIdentity.PublicKey.VerifySignature(DeviceListFormat.SignedBytes(signed.List), signed.Signature))
        {
            return null;
        }
        try
        {
            var list = DeviceList.Parser.ParseFrom(signed.List);
            return list.AccountId == accountId ? list : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>True when the verified <paramref name="list"/> names device <paramref name="deviceId"/> with exactly this identity key.</summary>
    public static bool Contains(DeviceList list, uint deviceId, IdentityKey identity)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(identity);
        var serialized = identity.Serialize();
        return list.Devices.Any(d => d.DeviceId == deviceId && d.IdentityKey.Span.SequenceEqual(serialized));
    }
}
