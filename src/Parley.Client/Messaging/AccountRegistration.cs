using Parley.Client.Api;
using Parley.Client.Storage;
using Parley.Crypto;
using Parley.Protocol.Rest;

namespace Parley.Client.Messaging;

/// <summary>
/// Registering a number, in the order a UI asks for it: start (the server sends a code), verify
/// the code, create the account. Creating generates every key on this device and keeps all private
/// halves in the local store; only public keys leave it.
/// </summary>
public sealed class AccountRegistration
{
    private readonly ParleyApi _api;

    private AccountRegistration(ParleyApi api, string number, string sessionId)
    {
        _api = api;
        Number = number;
        SessionId = sessionId;
    }

    public string Number { get; }

    public string SessionId { get; }

    /// <summary>Asks the server to send a verification code to <paramref name="number"/> (E.164).</summary>
    /// <exception cref="ParleyApiException">invalid_number, rate_limited, ...</exception>
    /// <exception cref="HttpRequestException">The server cannot be reached.</exception>
    public static async Task<AccountRegistration> StartAsync(ParleyApi api, string number, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(api);
        var session = await api.StartRegistrationAsync(number, cancellationToken);
        return new AccountRegistration(api, number, session.SessionId);
    }

    /// <summary>Continues a registration started earlier (e.g. by a previous run of a command-line tool).</summary>
    public static AccountRegistration Resume(ParleyApi api, string number, string sessionId)
    {
        ArgumentNullException.ThrowIfNull(api);
        return new AccountRegistration(api, number, sessionId);
    }

    /// <summary>Checks the code; throws <see cref="ParleyApiException"/> with incorrect_code (and the attempts left) when it is wrong.</summary>
    public Task VerifyAsync(string code, CancellationToken cancellationToken = default) =>
        _api.VerifyCodeAsync(SessionId, code.Trim(), cancellationToken);

    /// <summary>
    /// Generates identity, registration id, signed prekey and last-resort Kyber prekey, creates the
    /// account, then uploads the first batch of one-time keys. Anything the store held for a previous
    /// account (keys, sessions) is forgotten first; contacts and history stay. A number protected by
    /// two-step verification needs its PIN (or an authenticator code) as <paramref name="registrationLock"/>;
    /// without it the server answers registration_lock_required (see <see cref="ParleyApiException"/>).
    /// </summary>
    public async Task<LocalAccount> CreateAccountAsync(IClientStore store, string? deviceName = null, ClientOptions? options = null,
        string? registrationLock = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new ClientOptions();
        var (identity, registrationId, signedPreKey, lastResort) = await NewDeviceKeys.CreateAsync(store);
        const uint signedPreKeyId = NewDeviceKeys.SignedPreKeyId;

        var created = await _api.CreateAccountAsync(new CreateAccountRequest(
            SessionId,
            (int)registrationId,
            identity.PublicKey.Serialize(),
            new SignedPreKeyDto((int)signedPreKeyId, signedPreKey.KeyPair.PublicKey.Serialize(), signedPreKey.Signature),
            new KyberPreKeyDto((int)lastResort.Id, lastResort.KeyPair.PublicKey.Serialize(), lastResort.Signature),
            deviceName, registrationLock), cancellationToken);

        var account = new LocalAccount(_api.BaseAddress, Number, created.AccountId, created.DeviceId, created.Password, registrationId,
            identity.Serialize(), deviceName, NextPreKeyId: 1, NextKyberPreKeyId: PreKeyUploader.LastResortKyberId + 1, signedPreKeyId,
            ProfileKey: Crypto.Media.PhotoCipher.NewKey());
        await store.SaveAccountAsync(account);
        await new PreKeyUploader(store, _api, options).UploadInitialAsync(cancellationToken);
        return account;
    }
}
