using Google.Protobuf;
using Parley.Crypto.Keys;
using Parley.Crypto.Protos.Storage;

namespace Parley.Crypto.Groups;

/// <summary>One sender-key chain (chain id, chain key, signing key, skipped message keys).</summary>
internal sealed class SenderKeyState(SenderKeyStateStructure structure)
{
    public SenderKeyStateStructure Structure { get; } = structure;

    public uint ChainId => Structure.ChainId;

    public uint MessageVersion => Structure.MessageVersion == 0 ? ProtocolConstants.SenderKeyMessageVersion : Structure.MessageVersion;

    public static SenderKeyState Create(uint chainId, uint iteration, byte[] chainKey, ECPublicKey signingKey, ECPrivateKey? signingPrivateKey) => new(new SenderKeyStateStructure
    {
        MessageVersion = ProtocolConstants.SenderKeyMessageVersion,
        ChainId = chainId,
        SenderChainKey = new SenderKeyStateStructure.Types.SenderChainKey { Iteration = iteration, Seed = ByteString.CopyFrom(chainKey) },
        SenderSigningKey = new SenderKeyStateStructure.Types.SenderSigningKey
        {
            Public = ByteString.CopyFrom(signingKey.Serialize()),
            Private = signingPrivateKey is null ? ByteString.Empty : ByteString.CopyFrom(signingPrivateKey.Serialize()),
        },
    });

    public SenderChainKey ChainKey
    {
        get
        {
            var key = Structure.SenderChainKey ?? throw Corrupt("missing chain key");
            return new SenderChainKey(key.Iteration, key.Seed.ToByteArray());
        }

        set => Structure.SenderChainKey = new SenderKeyStateStructure.Types.SenderChainKey { Iteration = value.Iteration, Seed = ByteString.CopyFrom(value.Seed) };
    }

    public ECPublicKey SigningKeyPublic => ECPublicKey.Deserialize((Structure.SenderSigningKey ?? throw Corrupt("missing signing key")).Public.Span);

    public ECPrivateKey SigningKeyPrivate
    {
        get
        {
            var key = Structure.SenderSigningKey ?? throw Corrupt("missing signing key");
            return key.Private.IsEmpty
                ? throw new SignalProtocolException(SignalError.InvalidState, "this sender key was received, not created here: it cannot encrypt")
                : ECPrivateKey.Deserialize(key.Private.Span);
        }
    }

    public void AddSkippedMessageKey(SenderMessageKey key)
    {
        Structure.SenderMessageKeys.Add(new SenderKeyStateStructure.Types.SenderMessageKey { Iteration = key.Iteration, Seed = ByteString.CopyFrom(key.Seed) });
        while (Structure.SenderMessageKeys.Count > ProtocolConstants.MaxMessageKeys)
        {
            Structure.SenderMessageKeys.RemoveAt(0);
        }
    }

    public SenderMessageKey? TakeSkippedMessageKey(uint iteration)
    {
        for (var i = 0; i < Structure.SenderMessageKeys.Count; i++)
        {
            var key = Structure.SenderMessageKeys[i];
            if (key.Iteration == iteration)
            {
                Structure.SenderMessageKeys.RemoveAt(i);
                return new SenderMessageKey(iteration, key.Seed.ToByteArray());
            }
        }

        return null;
    }

    private static SignalProtocolException Corrupt(string what) => new(SignalError.InvalidState, "sender key state corrupt: " + what);
}
