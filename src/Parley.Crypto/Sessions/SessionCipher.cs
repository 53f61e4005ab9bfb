using Parley.Crypto.Keys;
using Parley.Crypto.Messages;
using Parley.Crypto.Primitives;
using Parley.Crypto.Ratchet;
using Parley.Crypto.Stores;

namespace Parley.Crypto.Sessions;

/// <summary>
/// Encrypts to and decrypts from one remote device. Every operation works on a copy of the
/// session record and writes stores only after it fully succeeded, so a failed decryption
/// (bad MAC, replay, unknown prekey, untrusted identity) leaves every store unchanged.
/// Operations for the same remote address must not run concurrently (load–modify–store); callers
/// serialize them, e.g. with one queue per conversation.
/// </summary>
public sealed class SessionCipher(
    ISessionStore sessionStore,
    IIdentityKeyStore identityStore,
    IPreKeyStore preKeyStore,
    ISignedPreKeyStore signedPreKeyStore,
    IKyberPreKeyStore kyberPreKeyStore,
    ProtocolAddress remoteAddress)
{
    public SessionCipher(ISignalProtocolStore store, ProtocolAddress remoteAddress)
        : this(store, store, store, store, store, remoteAddress)
    {
    }

    /// <summary>
    /// Encrypts with the current session: a <see cref="PreKeySignalMessage"/> until the peer has
    /// answered, a <see cref="SignalMessage"/> after. Throws <see cref="SignalError.NoSession"/>
    /// without a session and <see cref="SignalError.UntrustedIdentity"/> if the peer's key changed.
    /// </summary>
    public async Task<CiphertextMessage> EncryptAsync(ReadOnlyMemory<byte> plaintext)
    {
        var record = (await sessionStore.LoadSessionAsync(remoteAddress).ConfigureAwait(false))?.CopyForUpdate();
        var state = record?.Current ?? throw new SignalProtocolException(SignalError.NoSession, $"no session with {remoteAddress}");

        var chainKey = state.SenderChainKey;
        var keys = chainKey.MessageKeys();
        var localIdentity = state.LocalIdentity;
        var remoteIdentity = state.RemoteIdentity;
        var version = (byte)state.Version;
        var ciphertext = AesCbc.Encrypt(keys.CipherKey, keys.Iv, plaintext.Span);
        var signalMessage = SignalMessage.Create(
            version, keys.MacKey, state.SenderRatchetKey, chainKey.Index, state.PreviousCounter, ciphertext, localIdentity, remoteIdentity);

        CiphertextMessage result = signalMessage;
        if (state.PendingPreKey is { } pending)
        {
            result = PreKeySignalMessage.Create(
                version,
                state.LocalRegistrationId,
                pending.HasPreKeyId ? pending.PreKeyId : null,
                pending.SignedPreKeyId,
                pending.KyberPreKeyId,
                pending.KyberCiphertext.ToByteArray(),
                ECPublicKey.Deserialize(pending.BaseKey.Span),
                localIdentity,
                signalMessage);
        }

        state.SenderChainKey = chainKey.Next();

        if (!await identityStore.IsTrustedIdentityAsync(remoteAddress, remoteIdentity, Direction.Sending).ConfigureAwait(false))
        {
            throw new SignalProtocolException(SignalError.UntrustedIdentity, $"identity of {remoteAddress} is not trusted");
        }

        await identityStore.SaveIdentityAsync(remoteAddress, remoteIdentity).ConfigureAwait(false);
        await sessionStore.StoreSessionAsync(remoteAddress, record!).ConfigureAwait(false);
        return result;
    }

    /// <summary>Decrypts either message type (dispatching on the runtime type).</summary>
    public Task<byte[]> DecryptAsync(CiphertextMessage message) => message switch
    {
        PreKeySignalMessage preKey => DecryptAsync(preKey),
        SignalMessage signal => DecryptAsync(signal),
        _ => throw new SignalProtocolException(SignalError.InvalidArgument, $"SessionCipher cannot decrypt {message.Type} messages"),
    };

    /// <summary>
    /// Decrypts a session-starting message, building the session if it is new. Consumes the
    /// one-time prekey and marks the Kyber prekey used only after decryption succeeded.
    /// </summary>
    public async Task<byte[]> DecryptAsync(PreKeySignalMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!await identityStore.IsTrustedIdentityAsync(remoteAddress, message.IdentityKey, Direction.Receiving).ConfigureAwait(false))
        {
            throw new SignalProtocolException(SignalError.UntrustedIdentity, $"identity of {remoteAddress} is not trusted");
        }

        var record = (await sessionStore.LoadSessionAsync(remoteAddress).ConfigureAwait(false))?.CopyForUpdate() ?? new SessionRecord();
        var (preKeyId, kyberPreKeyId) = await SessionBuilder.ProcessPreKeyMessageAsync(
            message, record, identityStore, preKeyStore, signedPreKeyStore, kyberPreKeyStore).ConfigureAwait(false);

        var plaintext = SessionDecryption.DecryptWithRecord(record, message.Message);

        await sessionStore.StoreSessionAsync(remoteAddress, record).ConfigureAwait(false);
        await identityStore.SaveIdentityAsync(remoteAddress, message.IdentityKey).ConfigureAwait(false);
        if (preKeyId is { } id)
        {
            await preKeyStore.RemovePreKeyAsync(id).ConfigureAwait(false);
        }

        if (kyberPreKeyId is { } kyberId)
        {
            await kyberPreKeyStore.MarkKyberPreKeyUsedAsync(kyberId).ConfigureAwait(false);
        }

        return plaintext;
    }

    /// <summary>
    /// Decrypts a message of an established session, trying the current state and then archived
    /// ones (promoting the one that works). Throws <see cref="SignalError.DuplicateMessage"/> for a
    /// replay, <see cref="SignalError.InvalidMac"/>, <see cref="SignalError.MessageTooFarInFuture"/>,
    /// <see cref="SignalError.NoSession"/> or <see cref="SignalError.InvalidMessage"/> otherwise.
    /// </summary>
    public async Task<byte[]> DecryptAsync(SignalMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var record = (await sessionStore.LoadSessionAsync(remoteAddress).ConfigureAwait(false))?.CopyForUpdate()
            ?? throw new SignalProtocolException(SignalError.NoSession, $"no session with {remoteAddress}");

        var plaintext = SessionDecryption.DecryptWithRecord(record, message);

        var remoteIdentity = record.Current!.RemoteIdentity;
        if (!await identityStore.IsTrustedIdentityAsync(remoteAddress, remoteIdentity, Direction.Receiving).ConfigureAwait(false))
        {
            throw new SignalProtocolException(SignalError.UntrustedIdentity, $"identity of {remoteAddress} is not trusted");
        }

        await identityStore.SaveIdentityAsync(remoteAddress, remoteIdentity).ConfigureAwait(false);
        await sessionStore.StoreSessionAsync(remoteAddress, record).ConfigureAwait(false);
        return plaintext;
    }

    /// <summary>The remote device's registration id from the current session.</summary>
    public async Task<uint> GetRemoteRegistrationIdAsync()
    {
        var record = await sessionStore.LoadSessionAsync(remoteAddress).ConfigureAwait(false);
        return record?.RemoteRegistrationId ?? throw new SignalProtocolException(SignalError.NoSession, $"no session with {remoteAddress}");
    }
}
