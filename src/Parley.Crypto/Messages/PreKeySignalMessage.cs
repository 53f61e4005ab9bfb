using Google.Protobuf;
using Parley.Crypto.Kem;
using Parley.Crypto.Keys;

namespace Parley.Crypto.Messages;

/// <summary>
/// The first messages of a session: the initiator's identity, base key, the prekey ids it used and
/// the Kyber ciphertext, wrapping a <see cref="SignalMessage"/>. Version 4 requires the Kyber part.
/// </summary>
public sealed class PreKeySignalMessage : CiphertextMessage
{
    private readonly byte[] _serialized;

    private PreKeySignalMessage(
        byte version,
        uint registrationId,
        uint? preKeyId,
        uint signedPreKeyId,
        uint kyberPreKeyId,
        byte[] kyberCiphertext,
        ECPublicKey baseKey,
        IdentityKey identityKey,
        SignalMessage message,
        byte[] serialized)
    {
        MessageVersion = version;
        RegistrationId = registrationId;
        PreKeyId = preKeyId;
        SignedPreKeyId = signedPreKeyId;
        KyberPreKeyId = kyberPreKeyId;
        KyberCiphertext = kyberCiphertext;
        BaseKey = baseKey;
        IdentityKey = identityKey;
        Message = message;
        _serialized = serialized;
    }

    public override CiphertextMessageType Type => CiphertextMessageType.PreKey;

    public byte MessageVersion { get; }

    public uint RegistrationId { get; }

    public uint? PreKeyId { get; }

    public uint SignedPreKeyId { get; }

    public uint KyberPreKeyId { get; }

    /// <summary>Typed Kyber ciphertext, <c>0x08 ‖ 1568 bytes</c>.</summary>
    public byte[] KyberCiphertext { get; }

    public ECPublicKey BaseKey { get; }

    public IdentityKey IdentityKey { get; }

    public SignalMessage Message { get; }

    public override byte[] Serialize() => (byte[])_serialized.Clone();

    internal static PreKeySignalMessage Create(
        byte version,
        uint registrationId,
        uint? preKeyId,
        uint signedPreKeyId,
        uint kyberPreKeyId,
        byte[] kyberCiphertext,
        ECPublicKey baseKey,
        IdentityKey identityKey,
        SignalMessage message)
    {
        var proto = new Protos.Wire.PreKeySignalMessage
        {
            RegistrationId = registrationId,
            SignedPreKeyId = signedPreKeyId,
            KyberPreKeyId = kyberPreKeyId,
            KyberCiphertext = ByteString.CopyFrom(kyberCiphertext),
            BaseKey = ByteString.CopyFrom(baseKey.Serialize()),
            IdentityKey = ByteString.CopyFrom(identityKey.Serialize()),
            Message = ByteString.CopyFrom(message.Serialize()),
        };
        if (preKeyId is { } id)
        {
            proto.PreKeyId = id;
        }

        byte[] serialized = [(byte)((version << 4) | ProtocolConstants.CiphertextMessageVersion), .. proto.ToByteArray()];
        return new PreKeySignalMessage(version, registrationId, preKeyId, signedPreKeyId, kyberPreKeyId, kyberCiphertext, baseKey, identityKey, message, serialized);
    }

    public static PreKeySignalMessage Deserialize(ReadOnlySpan<byte> serialized)
    {
        if (serialized.Length == 0)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "message too short");
        }

        CheckVersion(serialized[0], ProtocolConstants.CiphertextMessageVersion);
        var proto = ProtoParsing.Parse(Protos.Wire.PreKeySignalMessage.Parser, serialized[1..], SignalError.InvalidMessage);
        var baseKey = ECPublicKey.Deserialize(Require(proto.HasBaseKey, proto.BaseKey, "base_key"));
        var identityKey = IdentityKey.Deserialize(Require(proto.HasIdentityKey, proto.IdentityKey, "identity_key"));
        var message = SignalMessage.Deserialize(Require(proto.HasMessage, proto.Message, "message"));
        if (!proto.HasSignedPreKeyId)
        {
            throw Missing("signed_pre_key_id");
        }

        if (!proto.HasKyberPreKeyId || !proto.HasKyberCiphertext)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "Kyber prekey id and ciphertext are required in version 4");
        }

        if (proto.KyberCiphertext.Length != KyberPublicKey.SerializedCiphertextLength || proto.KyberCiphertext[0] != KyberPublicKey.KeyType)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "malformed Kyber ciphertext");
        }

        return new PreKeySignalMessage(
            (byte)(serialized[0] >> 4),
            proto.RegistrationId,
            proto.HasPreKeyId ? proto.PreKeyId : null,
            proto.SignedPreKeyId,
            proto.KyberPreKeyId,
            proto.KyberCiphertext.ToByteArray(),
            baseKey,
            identityKey,
            message,
            serialized.ToArray());
    }
}
