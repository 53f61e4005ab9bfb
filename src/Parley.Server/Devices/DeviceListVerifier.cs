using Google.Protobuf;
using Parley.Crypto;
using Parley.Crypto.Keys;
using Parley.Protocol.Devices;
using Parley.Protocol.Rest;

namespace Parley.Server.Devices;

/// <summary>
/// Checks a device list the primary signed before the server stores it. The server cannot forge a
/// list (it has no private key); checking here turns a bad upload into a clear error for the
/// primary instead of contacts' clients silently refusing the account's devices later.
/// </summary>
public static class DeviceListVerifier
{
    /// <summary>
    /// Returns why the list is unacceptable, or null when it is signed by <paramref name="primaryIdentityKey"/>,
    /// names <paramref name="accountId"/>, is newer than <paramref name="currentVersion"/> and lists
    /// exactly <paramref name="expected"/> (device id and identity key).
    /// </summary>
    public static string? Check(SignedDeviceListDto? signed, string accountId, byte[] primaryIdentityKey, long currentVersion,
        IReadOnlyCollection<(int DeviceId, byte[] IdentityKey)> expected, out DeviceList? list)
    {
        list = null;
        if (signed?.List is null || signed.Signature is null)
        {
            return "A signed device list (list and signature) is required.";
        }
        try
        {
            if (!ECPublicKey.Deserialize(primaryIdentityKey).VerifySignature(DeviceListFormat.SignedBytes(signed.List), signed.Signature))
            {
                return "The device list is not signed by the primary device's identity key.";
            }
            list = DeviceList.Parser.ParseFrom(signed.List);
        }
        catch (Exception error) when (error is InvalidProtocolBufferException or SignalProtocolException)
        {
            return "The device list is not a valid DeviceList.";
        }
        if (list.AccountId != accountId)
        {
            return "The device list names another account.";
        }
        if ((long)list.Version <= currentVersion)
        {
            return $"The device list version must be greater than {currentVersion}.";
        }
        var listed = list.Devices.Select(d => ((int)d.DeviceId, Convert.ToBase64String(d.IdentityKey.Span))).ToHashSet();
        var wanted = expected.Select(d => (d.DeviceId, Convert.ToBase64String(d.IdentityKey))).ToHashSet();
        if (list.Devices.Count != listed.Count || !listed.SetEquals(wanted))
        {
            return $"The device list must name exactly the devices {string.Join(", ", expected.Select(d => d.DeviceId).Order())} with their identity keys.";
        }
        return null;
    }
}
