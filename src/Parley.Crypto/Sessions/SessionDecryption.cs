using Parley.Crypto.Keys;
using Parley.Crypto.Messages;
using Parley.Crypto.Primitives;
using Parley.Crypto.Ratchet;

namespace Parley.Crypto.Sessions;

/// <summary>The receiving half of the Double Ratchet, applied to a working copy of a session record.</summary>
internal static class SessionDecryption
{
    /// <summary>
    /// Tries the current state, then archived states newest first, each on its own clone. The
    /// first success is committed into <paramref name="record"/>; a duplicate stops the search
    /// (the message was already read under that state).
    /// </summary>
    public static byte[] DecryptWithRecord(SessionRecord record, SignalMessage message)
    {
        SignalProtocolException? firstError = null;
        if (record.Current is { } current)
        {
            var working = current.Clone();
            try
            {
                var plaintext = DecryptWithState(working, message);
                record.SetCurrent(working);
                return plaintext;
            }
            catch (SignalProtocolException e) when (e.Error != SignalError.DuplicateMessage)
            {
                firstError = e;
            }
        }

        for (var i = 0; i < record.PreviousStructures.Count; i++)
        {
            var working = new SessionState(record.PreviousStructures[i].Clone());
            try
            {
                var plaintext = DecryptWithState(working, message);
                record.PromoteArchivedState(i, working);
                return plaintext;
            }
            catch (SignalProtocolException e) when (e.Error != SignalError.DuplicateMessage)
            {
                firstError ??= e;
            }
        }

        throw firstError ?? new SignalProtocolException(SignalError.NoSession, "no session state to decrypt with");
    }

    private static byte[] DecryptWithState(SessionState state, SignalMessage message)
    {
        if (!state.HasSenderChain)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "session has no sender chain");
        }

        if (message.MessageVersion != state.Version)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, $"message version {message.MessageVersion} does not match session version {state.Version}");
        }

        var theirRatchetKey = message.SenderRatchetKey;
        var chainKey = GetOrCreateReceiverChain(state, theirRatchetKey);
        var keys = GetOrCreateMessageKeys(state, theirRatchetKey, chainKey, message.Counter);

        if (!message.VerifyMac(state.RemoteIdentity, state.LocalIdentity, keys.MacKey))
        {
            throw new SignalProtocolException(SignalError.InvalidMac, "message MAC does not verify");
        }

        var plaintext = AesCbc.Decrypt(keys.CipherKey, keys.Iv, message.Body);
        // The peer has answered, so it has the session: stop repeating the prekey header.
        state.PendingPreKey = null;
        return plaintext;
    }

    /// <summary>Returns the receiving chain for the sender's ratchet key, performing a DH ratchet step for a new one.</summary>
    private static ChainKey GetOrCreateReceiverChain(SessionState state, ECPublicKey theirRatchetKey)
    {
        if (state.GetReceiverChainKey(theirRatchetKey) is { } existing)
        {
            return existing;
        }

        var (receivingRoot, receivingChain) = state.RootKey.CreateChain(theirRatchetKey, state.SenderRatchetPrivateKey);
        var ourNewRatchetKey = ECKeyPair.Generate();
        var (sendingRoot, sendingChain) = receivingRoot.CreateChain(theirRatchetKey, ourNewRatchetKey.PrivateKey);

        state.RootKey = sendingRoot;
        state.AddReceiverChain(theirRatchetKey, receivingChain);
        // libsignal records one less than the old sending index (0 stays 0); kept for parity.
        var currentIndex = state.SenderChainKey.Index;
        state.PreviousCounter = currentIndex > 0 ? currentIndex - 1 : 0;
        state.SetSenderChain(ourNewRatchetKey, sendingChain);
        return receivingChain;
    }

    private static MessageKeys GetOrCreateMessageKeys(SessionState state, ECPublicKey theirRatchetKey, ChainKey chainKey, uint counter)
    {
        if (chainKey.Index > counter)
        {
            return state.TakeSkippedMessageKey(theirRatchetKey, counter)
                ?? throw new SignalProtocolException(SignalError.DuplicateMessage, $"message {counter} was already received (chain at {chainKey.Index})");
        }

        if (counter - chainKey.Index > ProtocolConstants.MaxForwardJumps && !state.IsSessionWithSelf)
        {
            throw new SignalProtocolException(
                SignalError.MessageTooFarInFuture, $"message {counter} is more than {ProtocolConstants.MaxForwardJumps} ahead of {chainKey.Index}");
        }

        while (chainKey.Index < counter)
        {
            state.AddSkippedMessageKey(theirRatchetKey, chainKey.Index, chainKey.MessageKeySeedBytes());
            chainKey = chainKey.Next();
        }

        state.SetReceiverChainKey(theirRatchetKey, chainKey.Next());
        return chainKey.MessageKeys();
    }
}
