using System.Security.Cryptography;
using Parley.Crypto.Keys;
using Parley.Crypto.Messages;
using Parley.Crypto.Stores;

namespace Parley.Crypto.Groups;

/// <summary>Creates and accepts sender keys for a (sender, distribution id) pair.</summary>
public sealed class GroupSessionBuilder(ISenderKeyStore store)
{
    /// <summary>
    /// Returns the distribution message for our own sender key in <paramref name="distributionId"/>,
    /// creating the key on first use. Send it to every member over the 1:1 sessions.
    /// </summary>
    public async Task<SenderKeyDistributionMessage> CreateAsync(ProtocolAddress sender, Guid distributionId)
    {
        var record = await store.LoadSenderKeyAsync(sender, distributionId).ConfigureAwait(false);
        if (record is null || record.IsEmpty)
        {
            record = new SenderKeyRecord();
            // 31-bit chain ids, as libsignal-protocol-java's clients expect.
            var chainId = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
            var signing = ECKeyPair.Generate();
            record.AddState(chainId, 0, RandomNumberGenerator.GetBytes(32), signing.PublicKey, signing.PrivateKey);
            await store.StoreSenderKeyAsync(sender, distributionId, record).ConfigureAwait(false);
        }

        var state = record.Newest!;
        var chainKey = state.ChainKey;
        return new SenderKeyDistributionMessage(distributionId, state.ChainId, chainKey.Iteration, chainKey.Seed, state.SigningKeyPublic);
    }

    /// <summary>Stores a member's sender key received from <paramref name="sender"/>.</summary>
    public async Task ProcessAsync(ProtocolAddress sender, SenderKeyDistributionMessage message)
    {
        var record = await store.LoadSenderKeyAsync(sender, message.DistributionId).ConfigureAwait(false) ?? new SenderKeyRecord();
        record.AddState(message.ChainId, message.Iteration, message.ChainKey, message.SigningKey, null);
        await store.StoreSenderKeyAsync(sender, message.DistributionId, record).ConfigureAwait(false);
    }
}
