using Google.Protobuf;
using Parley.Crypto.Keys;

namespace Parley.Crypto.Messages;

/// <summary>
/// A group message under a sender key: <c>0x33 ‖ protobuf ‖ 64-byte XEdDSA signature</c> by the
/// sender's per-distribution signing key over everything before the signature.
/// </summary>
public sealed class SenderKeyMessage : CiphertextMessage
{
    private const int SignatureLength = 64;
    private readonly byte[] _serialized;

    private SenderKeyMessage(byte version, Guid distributionId, uint chainId, uint iteration, byte[] ciphertext, byte[] serialized)
    {
        MessageVersion = version;
        DistributionId = distributionId;
        ChainId = chainId;
        Iteration = iteration;
        Ciphertext = ciphertext;
        _serialized = serialized;
    }

    public override CiphertextMessageType Type => CiphertextMessageType.SenderKey;

    public byte MessageVersion { get; }

    public Guid DistributionId { get; }

    public uint ChainId { get; }

    public uint Iteration { get; }

    public byte[] Ciphertext { get; }

    public override byte[] Serialize() => (byte[])_serialized.Clone();

    internal static SenderKeyMessage Create(Guid distributionId, uint chainId, uint iteration, byte[] ciphertext, ECPrivateKey signingKey)
    {
        var proto = new Protos.Wire.SenderKeyMessage
        {
            DistributionUuid = ByteString.CopyFrom(distributionId.ToByteArray(bigEndian: true)),
            ChainId = chainId,
            Iteration = iteration,
            Ciphertext = ByteString.CopyFrom(ciphertext),
        };
        const byte version = ProtocolConstants.SenderKeyMessageVersion;
        byte[] unsigned = [(version << 4) | version, .. proto.ToByteArray()];
        var signature = signingKey.CalculateSignature(unsigned);
        return new SenderKeyMessage(version, distributionId, chainId, iteration, ciphertext, [.. unsigned, .. signature]);
    }

    public static SenderKeyMessage Deserialize(ReadOnlySpan<byte> serialized)
    {
        if (serialized.Length < 1 + SignatureLength)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "sender key message too short");
        }

        CheckVersion(serialized[0], ProtocolConstants.SenderKeyMessageVersion);
        var proto = ProtoParsing.Parse(Protos.Wire.SenderKeyMessage.Parser, serialized[1..^SignatureLength], SignalError.InvalidMessage);
        var uuid = Require(proto.HasDistributionUuid, proto.DistributionUuid, "distribution_uuid");
        if (uuid.Length != 16)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "distribution id is not a UUID");
        }

        if (!proto.HasChainId || !proto.HasIteration)
        {
            throw Missing("chain_id/iteration");
        }

        var ciphertext = Require(proto.HasCiphertext, proto.Ciphertext, "ciphertext");
        return new SenderKeyMessage((byte)(serialized[0] >> 4), new Guid(uuid, bigEndian: true), proto.ChainId, proto.Iteration, ciphertext, serialized.ToArray());
    }

    internal bool VerifySignature(ECPublicKey signingKey) =>
        signingKey.VerifySignature(_serialized.AsSpan(0, _serialized.Length - SignatureLength), _serialized.AsSpan(_serialized.Length - SignatureLength));
}
