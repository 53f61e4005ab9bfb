using Parley.Crypto.Messages;
using Parley.Crypto.Primitives;
using Parley.Crypto.Stores;

namespace Parley.Crypto.Groups;

/// <summary>Encrypts our group messages and decrypts other members' under their sender keys.</summary>
public sealed class GroupCipher(ISenderKeyStore store)
{
    /// <summary>Encrypts with our newest chain in <paramref name="distributionId"/>; fails with <see cref="SignalError.NoSenderKeyState"/> before <see cref="GroupSessionBuilder.CreateAsync"/>.</summary>
    public async Task<SenderKeyMessage> EncryptAsync(ProtocolAddress sender, Guid distributionId, ReadOnlyMemory<byte> plaintext)
    {
        var record = (await store.LoadSenderKeyAsync(sender, distributionId).ConfigureAwait(false))?.Copy();
        var state = record?.Newest ?? throw new SignalProtocolException(SignalError.NoSenderKeyState, $"no sender key for distribution {distributionId}");
        var chainKey = state.ChainKey;
        var messageKey = chainKey.MessageKey();
        var ciphertext = AesCbc.Encrypt(messageKey.CipherKey, messageKey.Iv, plaintext.Span);
        var message = SenderKeyMessage.Create(distributionId, state.ChainId, messageKey.Iteration, ciphertext, state.SigningKeyPrivate);
        state.ChainKey = chainKey.Next();
        await store.StoreSenderKeyAsync(sender, distributionId, record!).ConfigureAwait(false);
        return message;
    }

    /// <summary>
    /// Verifies the signature, finds the message key (skipping ahead at most
    /// <see cref="ProtocolConstants.MaxForwardJumps"/>) and decrypts. On any failure the store is unchanged.
    /// </summary>
    public async Task<byte[]> DecryptAsync(ProtocolAddress sender, SenderKeyMessage message)
    {
        var record = (await store.LoadSenderKeyAsync(sender, message.DistributionId).ConfigureAwait(false))?.Copy()
            ?? throw new SignalProtocolException(SignalError.NoSenderKeyState, $"no sender key for distribution {message.DistributionId}");
        var state = record.FindByChainId(message.ChainId)
            ?? throw new SignalProtocolException(SignalError.NoSenderKeyState, $"no sender key chain {message.ChainId} for distribution {message.DistributionId}");
        if (message.MessageVersion != state.MessageVersion)
        {
            throw new SignalProtocolException(SignalError.UnknownVersion, $"sender key message version {message.MessageVersion}");
        }

        if (!message.VerifySignature(state.SigningKeyPublic))
        {
            throw new SignalProtocolException(SignalError.InvalidSignature, "sender key message signature does not verify");
        }

        var messageKey = GetMessageKey(state, message.Iteration);
        var plaintext = AesCbc.Decrypt(messageKey.CipherKey, messageKey.Iv, message.Ciphertext);
        await store.StoreSenderKeyAsync(sender, message.DistributionId, record).ConfigureAwait(false);
        return plaintext;
    }

    private static SenderMessageKey GetMessageKey(SenderKeyState state, uint iteration)
    {
        var chainKey = state.ChainKey;
        if (chainKey.Iteration > iteration)
        {
            return state.TakeSkippedMessageKey(iteration)
                ?? throw new SignalProtocolException(SignalError.DuplicateMessage, $"sender key iteration {iteration} was already used (chain at {chainKey.Iteration})");
        }

        if (iteration - chainKey.Iteration > ProtocolConstants.MaxForwardJumps)
        {
            throw new SignalProtocolException(SignalError.MessageTooFarInFuture, $"sender key iteration {iteration} is more than {ProtocolConstants.MaxForwardJumps} ahead of {chainKey.Iteration}");
        }

        while (chainKey.Iteration < iteration)
        {
            state.AddSkippedMessageKey(chainKey.MessageKey());
            chainKey = chainKey.Next();
        }

        state.ChainKey = chainKey.Next();
        return chainKey.MessageKey();
    }
}
