using Parley.Client.Api;
using Parley.Client.Messaging;
using Parley.Client.Storage;
using Parley.Crypto;
using Parley.Crypto.Keys;
using Parley.Protocol.Rest;

namespace Parley.Client.Devices;

/// <summary>The link did not complete: the primary rejected it, or it expired before approval.</summary>
public sealed class LinkFailedException(string status, string message) : Exception(message)
{
    /// <summary>One of <see cref="LinkStatuses"/>.</summary>
    public string Status { get; } = status;
}

/// <summary>
/// The new device's side of linking: generate this device's own keys, present the primary's code
/// with the public halves, wait for the primary's approval, then become a registered device of
/// the account (own device id, own credential; all private keys stay here).
/// </summary>
public sealed class NewDeviceLink
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly ParleyApi _api;
    private readonly IClientStore _store;
    private readonly IdentityKeyPair _identity;
    private readonly uint _registrationId;
    private readonly LinkDeviceResponse _presented;
    private readonly LinkPayload _payload;
    private readonly string? _deviceName;

    private NewDeviceLink(ParleyApi api, IClientStore store, IdentityKeyPair identity, uint registrationId, LinkDeviceResponse presented,
        LinkPayload payload, string? deviceName)
    {
        _api = api;
        _store = store;
        _identity = identity;
        _registrationId = registrationId;
        _presented = presented;
        _payload = payload;
        _deviceName = deviceName;
    }

    /// <summary>This device's fingerprint, to compare with what the primary shows before approving.</summary>
    public string Fingerprint => DeviceFingerprint.Of(_identity.PublicKey.Serialize());

    public long ExpiresAt => _presented.ExpiresAt;

    /// <summary>
    /// Generates this device's keys (forgetting any previous account in <paramref name="store"/>) and
    /// presents <paramref name="payload"/>'s code.
    /// </summary>
    /// <exception cref="ParleyApiException">invalid_link_code, link_code_expired, link_code_used, too_many_devices, rate_limited.</exception>
    public static async Task<NewDeviceLink> PresentAsync(ParleyApi api, IClientStore store, LinkPayload payload, string? deviceName = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(payload);
        var (identity, registrationId, signedPreKey, lastResort) = await NewDeviceKeys.CreateAsync(store);
        const uint signedPreKeyId = NewDeviceKeys.SignedPreKeyId;
        var presented = await api.PresentLinkCodeAsync(new LinkDeviceRequest(payload.Code, (int)registrationId, identity.PublicKey.Serialize(),
            new SignedPreKeyDto((int)signedPreKeyId, signedPreKey.KeyPair.PublicKey.Serialize(), signedPreKey.Signature),
            new KyberPreKeyDto((int)lastResort.Id, lastResort.KeyPair.PublicKey.Serialize(), lastResort.Signature),
            deviceName), cancellationToken);
        return new NewDeviceLink(api, store, identity, registrationId, presented, payload, deviceName);
    }

    /// <summary>
    /// Waits for the primary's decision; once approved, saves the account in the store and uploads
    /// this device's one-time prekeys. Open a <see cref="ParleyClient"/> on the store afterwards.
    /// </summary>
    /// <exception cref="LinkFailedException">Rejected by the primary, or expired.</exception>
    public async Task<LocalAccount> WaitForApprovalAsync(ClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var status = await _api.GetLinkStatusAsync(_presented.LinkId, cancellationToken);
            switch (status.Status)
            {
                case LinkStatuses.Approved:
                    return await CompleteAsync(status, options ?? new ClientOptions(), cancellationToken);
                case LinkStatuses.Rejected:
                    throw new LinkFailedException(status.Status, "The primary device rejected this device.");
                case LinkStatuses.Expired:
                    throw new LinkFailedException(status.Status, "The link code expired before the primary approved this device; create a new code.");
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private async Task<LocalAccount> CompleteAsync(LinkStatusResponse status, ClientOptions options, CancellationToken cancellationToken)
    {
        var account = new LocalAccount(_api.BaseAddress, status.Number ?? "", status.AccountId!, status.DeviceId!.Value, _presented.Password,
            _registrationId, _identity.Serialize(), _deviceName, NextPreKeyId: 1, NextKyberPreKeyId: PreKeyUploader.LastResortKyberId + 1, SignedPreKeyId: 1);
        await _store.SaveAccountAsync(account);
        if (_payload.PrimaryIdentityKey is { } primary)
        {
            // The QR code's key, not the server's word: this device verifies the account's device list against it.
            await _store.StoreIdentityAsync(account.AccountId, 1, IdentityKey.Deserialize(primary).Serialize());
        }
        await new PreKeyUploader(_store, _api, options).UploadInitialAsync(cancellationToken);
        return account;
    }
}
