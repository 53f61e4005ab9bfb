using Parley.Crypto.Media;
using Parley.Protocol.Rest;

namespace Parley.Client.Messaging;

/// <summary>A contact's profile as their privacy settings let this account see it (null/absent = hidden or unset).</summary>
public sealed record ContactProfile(string Number, string AccountId, string Name, string? About, bool HasPhoto, long Version);

/// <summary>Profile, privacy settings, blocking, contact discovery and two-step verification.</summary>
public sealed partial class ParleyClient
{
    /// <summary>Sets the display name and/or about text (null leaves it as it is).</summary>
    public Task SetProfileAsync(string? name, string? about = null, CancellationToken cancellationToken = default) =>
        _api.UpdateProfileAsync(Account.Credentials, new UpdateProfileRequest(name, about), cancellationToken);

    /// <summary>
    /// Sets the profile photo (JPEG, PNG or WebP), encrypted here under the profile key: the server
    /// stores a blob it cannot read, and the people this account writes to get the key.
    /// </summary>
    /// <exception cref="ArgumentException">Not a JPEG, PNG or WebP image.</exception>
    public async Task SetProfilePhotoAsync(byte[] image, CancellationToken cancellationToken = default)
    {
        RequireImage(image, PhotoKind.Profile);
        var blob = await PhotoCipher.EncryptAsync(image, await EnsureProfileKeyAsync(), PhotoKind.Profile, cancellationToken);
        await _api.SetProfilePhotoAsync(Account.Credentials, blob, "application/octet-stream", cancellationToken);
    }

    public Task RemoveProfilePhotoAsync(CancellationToken cancellationToken = default) =>
        _api.RemoveProfilePhotoAsync(Account.Credentials, cancellationToken);

    public async Task<ContactProfile> GetProfileAsync(string number, CancellationToken cancellationToken = default)
    {
        var contact = await ResolveAsync(number, cancellationToken);
        var profile = await _api.GetProfileAsync(Account.Credentials, contact.AccountId, cancellationToken);
        return new ContactProfile(number, contact.AccountId, profile.Name, profile.About, profile.HasPhoto, profile.Version);
    }

    /// <summary>
    /// The profile photo of a number (ours too), decrypted; null when they have none this account may
    /// see, or when we do not hold their profile key (they never wrote to us) or the blob does not
    /// decrypt under it (altered, or from before a key change).
    /// </summary>
    public async Task<byte[]?> GetProfilePhotoAsync(string number, CancellationToken cancellationToken = default)
    {
        var (accountId, profileKey) = await ProfileKeyOfAsync(number, cancellationToken);
        return profileKey is not null && await _api.GetProfilePhotoAsync(Account.Credentials, accountId, cancellationToken) is { } blob
            ? await DecryptPhotoOrNullAsync(blob, profileKey, PhotoKind.Profile, cancellationToken)
            : null;
    }

    public Task<PrivacySettingsDto> GetPrivacyAsync(CancellationToken cancellationToken = default) =>
        _api.GetPrivacyAsync(Account.Credentials, cancellationToken);

    /// <summary>Changes the given settings (members left null stay as they are); answers all settings.</summary>
    public Task<PrivacySettingsDto> SetPrivacyAsync(PrivacySettingsDto change, CancellationToken cancellationToken = default) =>
        _api.UpdatePrivacyAsync(Account.Credentials, change, cancellationToken);

    /// <summary>Blocks a number: their messages never reach this account, and they see nothing of it. They are not told.</summary>
    public Task BlockAsync(string number, CancellationToken cancellationToken = default) =>
        _api.BlockAsync(Account.Credentials, number, cancellationToken);

    public Task UnblockAsync(string number, CancellationToken cancellationToken = default) =>
        _api.UnblockAsync(Account.Credentials, number, cancellationToken);

    public async Task<IReadOnlyList<BlockedContact>> ListBlockedAsync(CancellationToken cancellationToken = default) =>
        (await _api.GetBlockedAsync(Account.Credentials, cancellationToken)).Blocked;

    /// <summary>
    /// Uploads the address book's numbers (E.164; names stay here) and remembers which are Parley
    /// users. Answers those users; their numbers count as "my contacts" in privacy settings.
    /// </summary>
    public async Task<IReadOnlyList<RegisteredContact>> SyncContactsAsync(IEnumerable<string> numbers, CancellationToken cancellationToken = default)
    {
        var synced = await _api.SyncContactsAsync(Account.Credentials, [.. numbers.Distinct()], cancellationToken);
        foreach (var registered in synced.Registered)
        {
            if (await _store.FindContactByNumberAsync(registered.Number) is null)
            {
                await _store.SaveContactAsync(new Storage.Contact(registered.Number, registered.AccountId));
            }
        }
        return synced.Registered;
    }

    public Task<TwoStepStatusResponse> GetTwoStepStatusAsync(CancellationToken cancellationToken = default) =>
        _api.GetTwoStepAsync(Account.Credentials, cancellationToken);

    /// <summary>Turns on two-step verification with a 6-digit PIN, or changes it (then <paramref name="currentPin"/> is needed).</summary>
    public Task SetPinAsync(string pin, string? currentPin = null, CancellationToken cancellationToken = default) =>
        _api.SetPinAsync(Account.Credentials, pin, currentPin, cancellationToken);

    public Task RemovePinAsync(string currentPin, CancellationToken cancellationToken = default) =>
        _api.RemovePinAsync(Account.Credentials, currentPin, cancellationToken);

    /// <summary>Starts adding an authenticator app; show <see cref="AuthenticatorSetupResponse.OtpAuthUri"/> as a QR code.</summary>
    public Task<AuthenticatorSetupResponse> StartAuthenticatorAsync(string currentPin, CancellationToken cancellationToken = default) =>
        _api.StartAuthenticatorAsync(Account.Credentials, currentPin, cancellationToken);

    public Task ConfirmAuthenticatorAsync(string code, CancellationToken cancellationToken = default) =>
        _api.ConfirmAuthenticatorAsync(Account.Credentials, code, cancellationToken);

    /// <summary>ICE servers (TURN with short-lived credentials) for a WebRTC call.</summary>
    public Task<IceServersResponse> GetIceServersAsync(CancellationToken cancellationToken = default) =>
        _api.GetIceServersAsync(Account.Credentials, cancellationToken);

    /// <summary>The server's TURN self-check.</summary>
    public Task<TurnCheckResponse> CheckTurnAsync(CancellationToken cancellationToken = default) =>
        _api.CheckTurnAsync(Account.Credentials, cancellationToken);
}
