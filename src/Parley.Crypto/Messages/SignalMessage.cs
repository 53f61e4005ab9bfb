using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Crypto.Keys;
using Parley.Crypto.Primitives;

namespace Parley.Crypto.Messages;

/// <summary>
/// A Double Ratchet message: <c>version byte ‖ protobuf ‖ 8-byte MAC</c>, the MAC being the first
/// 8 bytes of HMAC-SHA256(macKey, senderIdentity ‖ receiverIdentity ‖ version ‖ protobuf).
/// </summary>
public sealed class SignalMessage : CiphertextMessage
{
    private readonly byte[] _serialized;

    private SignalMessage(byte version, ECPublicKey senderRatchetKey, uint counter, uint previousCounter, byte[] body, byte[] serialized)
    {
        MessageVersion = version;
        SenderRatchetKey = senderRatchetKey;
        Counter = counter;
        PreviousCounter = previousCounter;
        Body = body;
        _serialized = serialized;
    }

    public override CiphertextMessageType Type => CiphertextMessageType.Whisper;

    public byte MessageVersion { get; }

    public ECPublicKey SenderRatchetKey { get; }

    public uint Counter { get; }

    public uint PreviousCounter { get; }

    /// <summary>The AES-256-CBC ciphertext.</summary>
    public byte[] Body { get; }

    public override byte[] Serialize() => (byte[])_serialized.Clone();

    internal static SignalMessage Create(
        byte version,
        byte[] macKey,
        ECPublicKey senderRatchetKey,
        uint counter,
        uint previousCounter,
        byte[] ciphertext,
        IdentityKey senderIdentity,
        IdentityKey receiverIdentity)
    {
        var proto = new Protos.Wire.SignalMessage
        {
            RatchetKey = ByteString.CopyFrom(senderRatchetKey.Serialize()),
            Counter = counter,
            PreviousCounter = previousCounter,
            Ciphertext = ByteString.CopyFrom(ciphertext),
        };
        byte[] unsigned = [(byte)((version << 4) | ProtocolConstants.CiphertextMessageVersion), .. proto.ToByteArray()];
        var mac = ComputeMac(senderIdentity, receiverIdentity, macKey, unsigned);
        return new SignalMessage(version, senderRatchetKey, counter, previousCounter, ciphertext, [.. unsigned, .. mac]);
    }

    public static SignalMessage Deserialize(ReadOnlySpan<byte> serialized)
    {
        if (serialized.Length < ProtocolConstants.MacLength + 1)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "message too short");
        }

        CheckVersion(serialized[0], ProtocolConstants.CiphertextMessageVersion);
        var proto = ProtoParsing.Parse(Protos.Wire.SignalMessage.Parser, serialized[1..^ProtocolConstants.MacLength], SignalError.InvalidMessage);
        var ratchetKey = ECPublicKey.Deserialize(Require(proto.HasRatchetKey, proto.RatchetKey, "ratchet_key"));
        if (!proto.HasCounter)
        {
            throw Missing("counter");
        }

        var body = Require(proto.HasCiphertext, proto.Ciphertext, "ciphertext");
        return new SignalMessage((byte)(serialized[0] >> 4), ratchetKey, proto.Counter, proto.PreviousCounter, body, serialized.ToArray());
    }

    internal bool VerifyMac(IdentityKey senderIdentity, IdentityKey receiverIdentity, byte[] macKey)
    {
        var expected = ComputeMac(senderIdentity, receiverIdentity, macKey, _serialized.AsSpan(0, _serialized.Length - ProtocolConstants.MacLength));
        return CryptographicOperations.FixedTimeEquals(expected, _serialized.AsSpan(_serialized.Length - ProtocolConstants.MacLength));
    }

    private static byte[] ComputeMac(IdentityKey sender, IdentityKey receiver, byte[] macKey, ReadOnlySpan<byte> message)
    {
        byte[] input = [.. sender.Serialize(), .. receiver.Serialize(), .. message];
        return HmacSha256.Compute(macKey, input)[..ProtocolConstants.MacLength];
    }
}
