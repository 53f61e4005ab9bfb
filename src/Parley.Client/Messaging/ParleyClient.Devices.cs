using System.Security.Cryptography;
using Parley.Client.Api;
using Parley.Client.Devices;
using Parley.Crypto;
using Parley.Crypto.Keys;
using Parley.Crypto.Messages;
using Parley.Protocol.Devices;
using Parley.Protocol.Rest;

namespace Parley.Client.Messaging;

/// <summary>A device waiting for the primary's approval, as the primary's UI shows it.</summary>
public sealed record PendingLink(string LinkId, string? DeviceName, string Fingerprint, long CreatedAt, long ExpiresAt);

/// <summary>Linked devices: the primary's management calls, and verification of device lists before encrypting for a linked device.</summary>
public sealed partial class ParleyClient
{
    private const int PrimaryDeviceId = 1;
    private const long OwnDevicesRecheckMs = 60_000;
    private int? _otherOwnDevices;
    private long _otherOwnDevicesCheckedAt;

    /// <summary>True on the account's primary device (device 1), the one that links and unlinks devices.</summary>
    public bool IsPrimary => Account.DeviceId == PrimaryDeviceId;

    /// <summary>Primary: a single-use code (and QR payload) for linking one new device, valid for a few minutes.</summary>
    public Task<LinkCodeResponse> CreateLinkCodeAsync(CancellationToken cancellationToken = default) =>
        _api.CreateLinkCodeAsync(Account.Credentials, cancellationToken);

    /// <summary>Primary: new devices that presented a code and wait for approval, with their fingerprints.</summary>
    public async Task<IReadOnlyList<PendingLink>> ListPendingLinksAsync(CancellationToken cancellationToken = default) =>
        (await _api.GetLinkRequestsAsync(Account.Credentials, cancellationToken)).Requests
            .Select(r => new PendingLink(r.LinkId, r.DeviceName, DeviceFingerprint.Of(r.IdentityKey), r.CreatedAt, r.ExpiresAt)).ToList();

    /// <summary>
    /// Primary: approves a waiting device, signing the new device list with this device's identity,
    /// then sends it recent history (see <see cref="ClientOptions.HistoryMaxAge"/>) end-to-end encrypted.
    /// Needs a connection for the history.
    /// </summary>
    /// <returns>The new device's id.</returns>
    public async Task<int> ApproveLinkAsync(string linkId, CancellationToken cancellationToken = default)
    {
        var request = (await _api.GetLinkRequestsAsync(Account.Credentials, cancellationToken)).Requests.SingleOrDefault(r => r.LinkId == linkId)
            ?? throw new ParleyApiException(System.Net.HttpStatusCode.NotFound, DeviceErrorCodes.InvalidLinkCode, "No such pending link request.");
        var (devices, trusted) = await TrustedOwnDevicesAsync(cancellationToken);
        var signed = DeviceListSigner.Sign(_identity, AccountId, devices.DeviceListVersion + 1,
            trusted.Append((devices.NextDeviceId, request.IdentityKey)));
        var approved = await _api.ApproveLinkAsync(Account.Credentials, linkId, new ApproveLinkRequest(devices.NextDeviceId, signed), cancellationToken);
        (_otherOwnDevices, _otherOwnDevicesCheckedAt) = (devices.Devices.Count, Environment.TickCount64);
        await SendHistoryAsync((uint)approved.DeviceId, cancellationToken);
        return approved.DeviceId;
    }

    /// <summary>Primary: refuses a waiting device.</summary>
    public Task RejectLinkAsync(string linkId, CancellationToken cancellationToken = default) =>
        _api.RejectLinkAsync(Account.Credentials, linkId, cancellationToken);

    /// <summary>This account's devices (any device may ask).</summary>
    public async Task<IReadOnlyList<DeviceDto>> ListDevicesAsync(CancellationToken cancellationToken = default) =>
        (await _api.GetDevicesAsync(Account.Credentials, cancellationToken)).Devices;

    /// <summary>Primary: removes a linked device (signing the list without it); the server logs it out at once.</summary>
    public async Task UnlinkDeviceAsync(int deviceId, CancellationToken cancellationToken = default)
    {
        var (devices, trusted) = await TrustedOwnDevicesAsync(cancellationToken);
        var remaining = trusted.Where(d => d.DeviceId != deviceId).ToList();
        var signed = DeviceListSigner.Sign(_identity, AccountId, devices.DeviceListVersion + 1, remaining);
        await _api.UnlinkDeviceAsync(Account.Credentials, deviceId, new UnlinkDeviceRequest(signed), cancellationToken);
        await _store.DeleteSessionAsync(AccountId, (uint)deviceId);
        (_otherOwnDevices, _otherOwnDevicesCheckedAt) = (remaining.Count - 1, Environment.TickCount64);
    }

    /// <summary>
    /// The devices a new list may name: those of the last list this primary signed (the server's
    /// word is not enough — the primary would otherwise sign a device the server slipped in), or
    /// just the primary before any. A device the server lists beyond them is refused loudly.
    /// </summary>
    private async Task<(DeviceListResponse Server, List<(int DeviceId, byte[] IdentityKey)> Trusted)> TrustedOwnDevicesAsync(CancellationToken cancellationToken)
    {
        var devices = await _api.GetDevicesAsync(Account.Credentials, cancellationToken);
        var list = await VerifiedDeviceListAsync(AccountId, cancellationToken);
        List<(int DeviceId, byte[] IdentityKey)> trusted = list?.Devices.Where(d => d.DeviceId != PrimaryDeviceId)
            .Select(d => ((int)d.DeviceId, d.IdentityKey.ToByteArray())).ToList() ?? [];
        trusted.Insert(0, (PrimaryDeviceId, _identity.IdentityKey.Serialize()));
        var unsigned = devices.Devices.Where(d => !trusted.Any(t => t.DeviceId == d.DeviceId && t.IdentityKey.AsSpan().SequenceEqual(d.IdentityKey)))
            .Select(d => d.DeviceId).ToList();
        if (unsigned.Count > 0)
        {
            throw new UntrustedDeviceException("this account", unsigned);
        }
        return (devices, trusted);
    }

    /// <summary>
    /// Whether this account has devices besides this one. A linked device always does (the
    /// primary). The primary asks the server at most once a minute (linking and unlinking through
    /// this client update it at once), so a single-device account pays no extra request per message
    /// and a device linked from another process gets sync copies within a minute; once a session
    /// with it exists, the server's device check keeps the list exact.
    /// </summary>
    private async Task<bool> HasOtherOwnDevicesAsync(CancellationToken cancellationToken)
    {
        if (!IsPrimary)
        {
            return true;
        }
        if (_otherOwnDevices is null || Environment.TickCount64 - _otherOwnDevicesCheckedAt > OwnDevicesRecheckMs)
        {
            _otherOwnDevices = (await _api.GetDevicesAsync(Account.Credentials, cancellationToken)).Devices.Count - 1;
            _otherOwnDevicesCheckedAt = Environment.TickCount64;
        }
        return _otherOwnDevices > 0;
    }

    /// <summary>
    /// The account's device list, if its primary signed it: verified against the primary's identity
    /// key as this device knows it (its own key on the primary; the QR code's key on a linked
    /// device; the key of the session with device 1 for contacts). Null when there is none or it
    /// does not verify.
    /// </summary>
    private async Task<DeviceList?> VerifiedDeviceListAsync(string accountId, CancellationToken cancellationToken)
    {
        var primary = accountId == AccountId && IsPrimary
            ? _identity.IdentityKey
            : await _protocol.GetIdentityAsync(new ProtocolAddress(accountId, PrimaryDeviceId));
        if (primary is null)
        {
            return null;
        }
        SignedDeviceListDto signed;
        try
        {
            signed = await _api.GetSignedDeviceListAsync(Account.Credentials, accountId, cancellationToken);
        }
        catch (ParleyApiException error) when (error.Code == DeviceErrorCodes.NoDeviceList)
        {
            return null;
        }
        return DeviceListSigner.Verify(signed, accountId, primary);
    }

    /// <summary>Refuses a linked device the account's primary did not sign for: the server may not add devices on its own.</summary>
    private async Task CheckLinkedDevicesAsync(string accountId, IReadOnlyList<PreKeyBundleDto> bundles, CancellationToken cancellationToken)
    {
        var linked = bundles.Where(b => b.DeviceId != PrimaryDeviceId && !(accountId == AccountId && b.DeviceId == Account.DeviceId)).ToList();
        if (linked.Count == 0)
        {
            return;
        }
        var list = await VerifiedDeviceListAsync(accountId, cancellationToken);
        var untrusted = linked.Where(b => list is null || !DeviceListSigner.Contains(list, (uint)b.DeviceId, IdentityKey.Deserialize(b.IdentityKey)))
            .Select(b => b.DeviceId).ToList();
        if (untrusted.Count > 0)
        {
            var who = accountId == AccountId ? "this account" : (await _store.FindContactByAccountAsync(accountId))?.Number ?? accountId;
            throw new UntrustedDeviceException(who, untrusted);
        }
    }

    /// <summary>
    /// Whether a new session offered by a linked device (a prekey message from a device other than
    /// 1) comes from a device its account's primary signed for. Without this, a server could add a
    /// device to a contact's account and write in the contact's name. A device whose identity we
    /// already accepted (sending to it, or an earlier message) is not checked again.
    /// </summary>
    private async Task<bool> IsSignedDeviceAsync(Protocol.Wire.Envelope envelope)
    {
        IdentityKey identity;
        try
        {
            identity = ((PreKeySignalMessage)CiphertextMessage.Deserialize(CiphertextMessageType.PreKey, envelope.Content.Span)).IdentityKey;
        }
        catch (SignalProtocolException)
        {
            return true; // not a valid prekey message: decryption reports it
        }
        if (identity.Equals(await _protocol.GetIdentityAsync(new ProtocolAddress(envelope.SourceAccount, envelope.SourceDevice))))
        {
            return true;
        }
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (!(envelope.SourceAccount == AccountId && IsPrimary)
                    && await _protocol.GetIdentityAsync(new ProtocolAddress(envelope.SourceAccount, PrimaryDeviceId)) is null)
                {
                    await FetchSessionsAsync(envelope.SourceAccount, PrimaryDeviceId, _stopping.Token);
                }
                var list = await VerifiedDeviceListAsync(envelope.SourceAccount, _stopping.Token);
                return list is not null && DeviceListSigner.Contains(list, envelope.SourceDevice, identity);
            }
            catch (Exception error) when (attempt < 2 && error is HttpRequestException or ParleyApiException or TaskCanceledException
                                          && !_stopping.IsCancellationRequested)
            {
                // The server that just delivered the envelope is most likely reachable again in a moment.
                await Task.Delay(TimeSpan.FromSeconds(1), _stopping.Token);
            }
            catch (Exception error) when (error is HttpRequestException or ParleyApiException)
            {
                return false; // cannot verify: refuse rather than trust an unverified device
            }
        }
    }

    private static byte[] NewMessageId() => RandomNumberGenerator.GetBytes(16);
}

/// <summary>
/// The server lists devices of an account that the account's primary did not sign for (a forged or
/// missing signed device list). Nothing was encrypted for them; the message was not sent.
/// </summary>
public sealed class UntrustedDeviceException(string account, IReadOnlyList<int> deviceIds)
    : Exception($"The server lists device(s) {string.Join(", ", deviceIds)} of {account} that its primary device did not sign for; not encrypting for them.")
{
    public IReadOnlyList<int> DeviceIds { get; } = deviceIds;
}
