using Google.Protobuf;
using Parley.Crypto.Keys;
using Parley.Crypto.Protos.Storage;

namespace Parley.Crypto.PreKeys;

/// <summary>A one-time Curve25519 prekey; consumed by the first session that uses it.</summary>
public sealed class PreKeyRecord(uint id, ECKeyPair keyPair)
{
    public uint Id { get; } = id;

    public ECKeyPair KeyPair { get; } = keyPair;

    public byte[] Serialize() => new PreKeyRecordStructure
    {
        Id = Id,
        PublicKey = ByteString.CopyFrom(KeyPair.PublicKey.Serialize()),
        PrivateKey = ByteString.CopyFrom(KeyPair.PrivateKey.Serialize()),
    }.ToByteArray();

    public static PreKeyRecord Deserialize(ReadOnlySpan<byte> serialized)
    {
        var s = ProtoParsing.Parse(PreKeyRecordStructure.Parser, serialized, SignalError.InvalidState);
        return new PreKeyRecord(s.Id, new ECKeyPair(ECPublicKey.Deserialize(s.PublicKey.Span), ECPrivateKey.Deserialize(s.PrivateKey.Span)));
    }
}
