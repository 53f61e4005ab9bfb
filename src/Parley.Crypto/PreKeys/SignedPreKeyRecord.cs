using Google.Protobuf;
using Parley.Crypto.Keys;
using Parley.Crypto.Protos.Storage;

namespace Parley.Crypto.PreKeys;

/// <summary>A medium-term Curve25519 prekey signed by the identity key; rotated by the client.</summary>
public sealed class SignedPreKeyRecord(uint id, ulong timestamp, ECKeyPair keyPair, byte[] signature)
{
    public uint Id { get; } = id;

    /// <summary>Creation time in milliseconds since the Unix epoch (for rotation decisions).</summary>
    public ulong Timestamp { get; } = timestamp;

    public ECKeyPair KeyPair { get; } = keyPair;

    /// <summary>XEdDSA signature by the identity key over the serialized public key (0x05 ‖ 32 bytes).</summary>
    public byte[] Signature { get; } = signature;

    public byte[] Serialize() => new SignedPreKeyRecordStructure
    {
        Id = Id,
        Timestamp = Timestamp,
        PublicKey = ByteString.CopyFrom(KeyPair.PublicKey.Serialize()),
        PrivateKey = ByteString.CopyFrom(KeyPair.PrivateKey.Serialize()),
        Signature = ByteString.CopyFrom(Signature),
    }.ToByteArray();

    public static SignedPreKeyRecord Deserialize(ReadOnlySpan<byte> serialized)
    {
        var s = ProtoParsing.Parse(SignedPreKeyRecordStructure.Parser, serialized, SignalError.InvalidState);
        var pair = new ECKeyPair(ECPublicKey.Deserialize(s.PublicKey.Span), ECPrivateKey.Deserialize(s.PrivateKey.Span));
        return new SignedPreKeyRecord(s.Id, s.Timestamp, pair, s.Signature.ToByteArray());
    }
}
