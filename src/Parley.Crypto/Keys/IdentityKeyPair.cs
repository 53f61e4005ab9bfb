using Google.Protobuf;
using Parley.Crypto.Protos.Storage;

namespace Parley.Crypto.Keys;

/// <summary>A device's identity key pair; stored with <see cref="Serialize"/>.</summary>
public sealed class IdentityKeyPair(IdentityKey identityKey, ECPrivateKey privateKey)
{
    public IdentityKey IdentityKey { get; } = identityKey;

    public ECPrivateKey PrivateKey { get; } = privateKey;

    public ECPublicKey PublicKey => IdentityKey.PublicKey;

    public static IdentityKeyPair Generate()
    {
        var pair = ECKeyPair.Generate();
        return new IdentityKeyPair(new IdentityKey(pair.PublicKey), pair.PrivateKey);
    }

    public byte[] Serialize() => new IdentityKeyPairStructure
    {
        PublicKey = ByteString.CopyFrom(IdentityKey.Serialize()),
        PrivateKey = ByteString.CopyFrom(PrivateKey.Serialize()),
    }.ToByteArray();

    public static IdentityKeyPair Deserialize(ReadOnlySpan<byte> serialized)
    {
        var structure = ProtoParsing.Parse(IdentityKeyPairStructure.Parser, serialized, SignalError.InvalidKey);
        return new IdentityKeyPair(IdentityKey.Deserialize(structure.PublicKey.Span), ECPrivateKey.Deserialize(structure.PrivateKey.Span));
    }
}
