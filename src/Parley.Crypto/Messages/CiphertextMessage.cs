namespace Parley.Crypto.Messages;

/// <summary>libsignal's envelope type numbers; they travel next to the ciphertext so the receiver knows how to parse it.</summary>
public enum CiphertextMessageType
{
    Whisper = 2,
    PreKey = 3,
    SenderKey = 7,
    Plaintext = 8,
}

/// <summary>An encrypted message ready for the wire; <see cref="Serialize"/> gives libsignal-compatible bytes.</summary>
public abstract class CiphertextMessage
{
    public abstract CiphertextMessageType Type { get; }

    public abstract byte[] Serialize();

    /// <summary>Parses bytes according to the envelope's type.</summary>
    public static CiphertextMessage Deserialize(CiphertextMessageType type, ReadOnlySpan<byte> serialized) => type switch
    {
        CiphertextMessageType.Whisper => SignalMessage.Deserialize(serialized),
        CiphertextMessageType.PreKey => PreKeySignalMessage.Deserialize(serialized),
        CiphertextMessageType.SenderKey => SenderKeyMessage.Deserialize(serialized),
        _ => throw new SignalProtocolException(SignalError.InvalidArgument, $"cannot parse message type {type}"),
    };

    internal static void CheckVersion(byte versionByte, byte current)
    {
        var version = versionByte >> 4;
        if (version < current)
        {
            throw new SignalProtocolException(SignalError.LegacyVersion, $"message version {version} is older than {current}");
        }

        if (version > current)
        {
            throw new SignalProtocolException(SignalError.UnknownVersion, $"message version {version} is unknown");
        }
    }

    internal static byte[] Require(bool present, Google.Protobuf.ByteString value, string field) =>
        present ? value.ToByteArray() : throw Missing(field);

    internal static SignalProtocolException Missing(string field) =>
        new(SignalError.InvalidMessage, $"message lacks required field {field}");
}
