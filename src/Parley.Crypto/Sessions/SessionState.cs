using Google.Protobuf;
using Parley.Crypto.Keys;
using Parley.Crypto.Protos.Storage;
using Parley.Crypto.Ratchet;

namespace Parley.Crypto.Sessions;

/// <summary>One Double Ratchet state over its storage protobuf; mutated only on a working copy.</summary>
internal sealed class SessionState(SessionStructure structure)
{
    public SessionStructure Structure { get; } = structure;

    public uint Version => Structure.SessionVersion;

    public SessionState Clone() => new(Structure.Clone());

    public IdentityKey LocalIdentity => IdentityKey.Deserialize(Structure.LocalIdentityPublic.Span);

    public IdentityKey RemoteIdentity => IdentityKey.Deserialize(Structure.RemoteIdentityPublic.Span);

    public bool IsSessionWithSelf => Structure.LocalIdentityPublic.Equals(Structure.RemoteIdentityPublic);

    public RootKey RootKey
    {
        get => new(Structure.RootKey.ToByteArray());
        set => Structure.RootKey = ByteString.CopyFrom(value.Key);
    }

    public bool HasSenderChain => Structure.SenderChain is not null;

    public ECPublicKey SenderRatchetKey => ECPublicKey.Deserialize(RequireSenderChain().SenderRatchetKey.Span);

    public ECPrivateKey SenderRatchetPrivateKey => ECPrivateKey.Deserialize(RequireSenderChain().SenderRatchetKeyPrivate.Span);

    public ChainKey SenderChainKey
    {
        get
        {
            var chainKey = RequireSenderChain().ChainKey ?? throw Corrupt("missing sender chain key");
            return new ChainKey(chainKey.Key.ToByteArray(), chainKey.Index);
        }

        set => RequireSenderChain().ChainKey = ToProto(value);
    }

    public void SetSenderChain(ECKeyPair ratchetKey, ChainKey chainKey) => Structure.SenderChain = new SessionStructure.Types.Chain
    {
        SenderRatchetKey = ByteString.CopyFrom(ratchetKey.PublicKey.Serialize()),
        SenderRatchetKeyPrivate = ByteString.CopyFrom(ratchetKey.PrivateKey.Serialize()),
        ChainKey = ToProto(chainKey),
    };

    public ChainKey? GetReceiverChainKey(ECPublicKey theirRatchetKey)
    {
        var chain = FindReceiverChain(theirRatchetKey);
        return chain?.ChainKey is { } key ? new ChainKey(key.Key.ToByteArray(), key.Index) : null;
    }

    public void AddReceiverChain(ECPublicKey theirRatchetKey, ChainKey chainKey)
    {
        Structure.ReceiverChains.Add(new SessionStructure.Types.Chain
        {
            SenderRatchetKey = ByteString.CopyFrom(theirRatchetKey.Serialize()),
            ChainKey = ToProto(chainKey),
        });
        while (Structure.ReceiverChains.Count > ProtocolConstants.MaxReceiverChains)
        {
            Structure.ReceiverChains.RemoveAt(0);
        }
    }

    public void SetReceiverChainKey(ECPublicKey theirRatchetKey, ChainKey chainKey) =>
        (FindReceiverChain(theirRatchetKey) ?? throw Corrupt("no receiver chain for ratchet key")).ChainKey = ToProto(chainKey);

    /// <summary>Keeps a skipped message key's seed, newest first, dropping the oldest beyond the limit.</summary>
    public void AddSkippedMessageKey(ECPublicKey theirRatchetKey, uint counter, byte[] seed)
    {
        var chain = FindReceiverChain(theirRatchetKey) ?? throw Corrupt("no receiver chain for ratchet key");
        chain.MessageKeys.Insert(0, new SessionStructure.Types.Chain.Types.MessageKey { Index = counter, Seed = ByteString.CopyFrom(seed) });
        while (chain.MessageKeys.Count > ProtocolConstants.MaxMessageKeys)
        {
            chain.MessageKeys.RemoveAt(chain.MessageKeys.Count - 1);
        }
    }

    /// <summary>Takes (removes) the skipped key for <paramref name="counter"/>; null if never skipped or already used.</summary>
    public MessageKeys? TakeSkippedMessageKey(ECPublicKey theirRatchetKey, uint counter)
    {
        var chain = FindReceiverChain(theirRatchetKey);
        if (chain is null)
        {
            return null;
        }

        for (var i = 0; i < chain.MessageKeys.Count; i++)
        {
            if (chain.MessageKeys[i].Index == counter)
            {
                var seed = chain.MessageKeys[i].Seed.Span;
                var keys = MessageKeys.Derive(seed, counter);
                chain.MessageKeys.RemoveAt(i);
                return keys;
            }
        }

        return null;
    }

    public uint PreviousCounter
    {
        get => Structure.PreviousCounter;
        set => Structure.PreviousCounter = value;
    }

    public SessionStructure.Types.PendingPreKey? PendingPreKey
    {
        get => Structure.PendingPreKey;
        set => Structure.PendingPreKey = value;
    }

    public uint LocalRegistrationId
    {
        get => Structure.LocalRegistrationId;
        set => Structure.LocalRegistrationId = value;
    }

    public uint RemoteRegistrationId
    {
        get => Structure.RemoteRegistrationId;
        set => Structure.RemoteRegistrationId = value;
    }

    public ByteString AliceBaseKey
    {
        get => Structure.AliceBaseKey;
        set => Structure.AliceBaseKey = value;
    }

    private SessionStructure.Types.Chain? FindReceiverChain(ECPublicKey theirRatchetKey)
    {
        var serialized = theirRatchetKey.Serialize();
        foreach (var chain in Structure.ReceiverChains)
        {
            if (chain.SenderRatchetKey.Span.SequenceEqual(serialized))
            {
                return chain;
            }
        }

        return null;
    }

    private SessionStructure.Types.Chain RequireSenderChain() => Structure.SenderChain ?? throw Corrupt("missing sender chain");

    private static SessionStructure.Types.Chain.Types.ChainKey ToProto(ChainKey chainKey) =>
        new() { Index = chainKey.Index, Key = ByteString.CopyFrom(chainKey.Key) };

    private static SignalProtocolException Corrupt(string what) => new(SignalError.InvalidState, "session state corrupt: " + what);
}
