using Google.Protobuf;
using Parley.Crypto.Keys;
using Parley.Crypto.Messages;
using Parley.Crypto.PreKeys;
using Parley.Crypto.Protos.Storage;
using Parley.Crypto.Ratchet;
using Parley.Crypto.Stores;

namespace Parley.Crypto.Sessions;

/// <summary>Starts sessions: from a fetched prekey bundle (initiator) or from an incoming prekey message (responder).</summary>
public sealed class SessionBuilder(ISessionStore sessionStore, IIdentityKeyStore identityStore, ProtocolAddress remoteAddress)
{
    /// <summary>
    /// Verifies the bundle's signatures, runs PQXDH and stores a new current session; the
    /// following encryptions produce <see cref="PreKeySignalMessage"/>s until the peer answers.
    /// Throws <see cref="SignalError.UntrustedIdentity"/> if the bundle's identity is not trusted and
    /// <see cref="SignalError.InvalidSignature"/> if a prekey signature does not verify; nothing is
    /// stored then.
    /// </summary>
    public async Task ProcessPreKeyBundleAsync(PreKeyBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (!await identityStore.IsTrustedIdentityAsync(remoteAddress, bundle.IdentityKey, Direction.Sending).ConfigureAwait(false))
        {
            throw new SignalProtocolException(SignalError.UntrustedIdentity, $"identity of {remoteAddress} is not trusted");
        }

        if (!bundle.IdentityKey.PublicKey.VerifySignature(bundle.SignedPreKeyPublic.Serialize(), bundle.SignedPreKeySignature))
        {
            throw new SignalProtocolException(SignalError.InvalidSignature, "signed prekey signature does not verify");
        }

        if (!bundle.IdentityKey.PublicKey.VerifySignature(bundle.KyberPreKeyPublic.Serialize(), bundle.KyberPreKeySignature))
        {
            throw new SignalProtocolException(SignalError.InvalidSignature, "Kyber prekey signature does not verify");
        }

        if (!bundle.HasConsistentOneTimePreKey)
        {
            throw new SignalProtocolException(SignalError.InvalidArgument, "one-time prekey id and key must come together");
        }

        var record = await sessionStore.LoadSessionAsync(remoteAddress).ConfigureAwait(false) ?? new SessionRecord();
        var ourIdentity = await identityStore.GetIdentityKeyPairAsync().ConfigureAwait(false);
        var baseKey = ECKeyPair.Generate();
        var (state, kyberCiphertext) = Pqxdh.InitializeAlice(new AliceParameters(
            ourIdentity, baseKey, bundle.IdentityKey, bundle.SignedPreKeyPublic, bundle.PreKeyPublic, bundle.KyberPreKeyPublic));

        var pending = new SessionStructure.Types.PendingPreKey
        {
            SignedPreKeyId = bundle.SignedPreKeyId,
            BaseKey = ByteString.CopyFrom(baseKey.PublicKey.Serialize()),
            KyberPreKeyId = bundle.KyberPreKeyId,
            KyberCiphertext = ByteString.CopyFrom(kyberCiphertext),
        };
        if (bundle.PreKeyId is { } preKeyId)
        {
            pending.PreKeyId = preKeyId;
        }

        state.PendingPreKey = pending;
        state.LocalRegistrationId = await identityStore.GetLocalRegistrationIdAsync().ConfigureAwait(false);
        state.RemoteRegistrationId = bundle.RegistrationId;
        record.PromoteState(state);

        await identityStore.SaveIdentityAsync(remoteAddress, bundle.IdentityKey).ConfigureAwait(false);
        await sessionStore.StoreSessionAsync(remoteAddress, record).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds the responder's session for a prekey message into <paramref name="record"/> (a working
    /// copy). Returns the prekeys to consume once decryption succeeds; stores nothing itself.
    /// </summary>
    internal static async Task<(uint? PreKeyId, uint? KyberPreKeyId)> ProcessPreKeyMessageAsync(
        PreKeySignalMessage message,
        SessionRecord record,
        IIdentityKeyStore identityStore,
        IPreKeyStore preKeyStore,
        ISignedPreKeyStore signedPreKeyStore,
        IKyberPreKeyStore kyberPreKeyStore)
    {
        if (record.HasSessionState(message.MessageVersion, message.BaseKey.Serialize()))
        {
            // A repeated prekey message of a session we already built: decrypt with that session.
            return (null, null);
        }

        var signedPreKey = await signedPreKeyStore.LoadSignedPreKeyAsync(message.SignedPreKeyId).ConfigureAwait(false)
            ?? throw new SignalProtocolException(SignalError.InvalidSignedPreKeyId, $"no signed prekey {message.SignedPreKeyId}");
        var kyberPreKey = await kyberPreKeyStore.LoadKyberPreKeyAsync(message.KyberPreKeyId).ConfigureAwait(false)
            ?? throw new SignalProtocolException(SignalError.InvalidKyberPreKeyId, $"no Kyber prekey {message.KyberPreKeyId}");
        PreKeyRecord? oneTime = null;
        if (message.PreKeyId is { } preKeyId)
        {
            oneTime = await preKeyStore.LoadPreKeyAsync(preKeyId).ConfigureAwait(false)
                ?? throw new SignalProtocolException(SignalError.InvalidPreKeyId, $"no one-time prekey {preKeyId}");
        }

        var state = Pqxdh.InitializeBob(new BobParameters(
            await identityStore.GetIdentityKeyPairAsync().ConfigureAwait(false),
            signedPreKey.KeyPair,
            oneTime?.KeyPair,
            kyberPreKey.KeyPair,
            message.IdentityKey,
            message.BaseKey,
            message.KyberCiphertext));
        state.LocalRegistrationId = await identityStore.GetLocalRegistrationIdAsync().ConfigureAwait(false);
        state.RemoteRegistrationId = message.RegistrationId;
        record.PromoteState(state);
        return (message.PreKeyId, message.KyberPreKeyId);
    }
}
