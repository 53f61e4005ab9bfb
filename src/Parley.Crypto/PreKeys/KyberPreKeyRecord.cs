using Google.Protobuf;
using Parley.Crypto.Kem;
using Parley.Crypto.Protos.Storage;

namespace Parley.Crypto.PreKeys;

/// <summary>A Kyber1024 prekey signed by the identity key (one-time, or last-resort and reused).</summary>
public sealed class KyberPreKeyRecord(uint id, ulong timestamp, KyberKeyPair keyPair, byte[] signature)
{
    public uint Id { get; } = id;

    /// <summary>Creation time in milliseconds since the Unix epoch.</summary>
    public ulong Timestamp { get; } = timestamp;

    public KyberKeyPair KeyPair { get; } = keyPair;

    /// <summary>XEdDSA signature by the identity key over the serialized public key (0x08 ‖ 1568 bytes).</summary>
    public byte[] Signature { get; } = signature;

    public byte[] Serialize() => new KyberPreKeyRecordStructure
    {
        Id = Id,
        Timestamp = Timestamp,
        PublicKey = ByteString.CopyFrom(KeyPair.PublicKey.Serialize()),
        SecretKey = ByteString.CopyFrom(KeyPair.SecretKey.Serialize()),
        Signature = ByteString.CopyFrom(Signature),
    }.ToByteArray();

    public static KyberPreKeyRecord Deserialize(ReadOnlySpan<byte> serialized)
    {
        var s = ProtoParsing.Parse(KyberPreKeyRecordStructure.Parser, serialized, SignalError.InvalidState);
        var pair = new KyberKeyPair(KyberPublicKey.Deserialize(s.PublicKey.Span), KyberSecretKey.Deserialize(s.SecretKey.Span));
        return new KyberPreKeyRecord(s.Id, s.Timestamp, pair, s.Signature.ToByteArray());
    }
}
