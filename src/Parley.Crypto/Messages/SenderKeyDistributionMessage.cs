using Google.Protobuf;
using Parley.Crypto.Keys;

namespace Parley.Crypto.Messages;

/// <summary>
/// Hands a sender's chain key and public signing key to one group member, sent inside a 1:1
/// session: <c>0x33 ‖ protobuf</c>.
/// </summary>
public sealed class SenderKeyDistributionMessage
{
    private readonly byte[] _serialized;

    internal SenderKeyDistributionMessage(Guid distributionId, uint chainId, uint iteration, byte[] chainKey, ECPublicKey signingKey)
    {
        DistributionId = distributionId;
        ChainId = chainId;
        Iteration = iteration;
        ChainKey = chainKey;
        SigningKey = signingKey;
        MessageVersion = ProtocolConstants.SenderKeyMessageVersion;
        var proto = new Protos.Wire.SenderKeyDistributionMessage
        {
            DistributionUuid = ByteString.CopyFrom(distributionId.ToByteArray(bigEndian: true)),
            ChainId = chainId,
            Iteration = iteration,
            ChainKey = ByteString.CopyFrom(chainKey),
            SigningKey = ByteString.CopyFrom(signingKey.Serialize()),
        };
        _serialized = [(byte)((MessageVersion << 4) | MessageVersion), .. proto.ToByteArray()];
    }

    public byte MessageVersion { get; }

    public Guid DistributionId { get; }

    public uint ChainId { get; }

    public uint Iteration { get; }

    public byte[] ChainKey { get; }

    public ECPublicKey SigningKey { get; }

    public byte[] Serialize() => (byte[])_serialized.Clone();

    public static SenderKeyDistributionMessage Deserialize(ReadOnlySpan<byte> serialized)
    {
        // At least a version byte, a chain key and a signing key.
        if (serialized.Length < 1 + 32 + 32)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "sender key distribution message too short");
        }

        CiphertextMessage.CheckVersion(serialized[0], ProtocolConstants.SenderKeyMessageVersion);
        var proto = ProtoParsing.Parse(Protos.Wire.SenderKeyDistributionMessage.Parser, serialized[1..], SignalError.InvalidMessage);
        var uuid = CiphertextMessage.Require(proto.HasDistributionUuid, proto.DistributionUuid, "distribution_uuid");
        var chainKey = CiphertextMessage.Require(proto.HasChainKey, proto.ChainKey, "chain_key");
        var signingKey = CiphertextMessage.Require(proto.HasSigningKey, proto.SigningKey, "signing_key");
        if (uuid.Length != 16 || chainKey.Length != 32 || signingKey.Length != ECPublicKey.SerializedLength || !proto.HasChainId || !proto.HasIteration)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "malformed sender key distribution message");
        }

        return new SenderKeyDistributionMessage(new Guid(uuid, bigEndian: true), proto.ChainId, proto.Iteration, chainKey, ECPublicKey.Deserialize(signingKey));
    }
}
