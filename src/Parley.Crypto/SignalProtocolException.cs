namespace Parley.Crypto;

/// <summary>Names each way a protocol operation can fail, so callers can react without parsing text.</summary>
public enum SignalError
{
    /// <summary>A message is malformed, fails its MAC or signature, or cannot be decrypted.</summary>
    InvalidMessage,
    /// <summary>A key has the wrong type byte, length or is not a valid point or KEM key.</summary>
    InvalidKey,
    /// <summary>A signature over a prekey or a message does not verify.</summary>
    InvalidSignature,
    /// <summary>The MAC of a 1:1 message does not verify.</summary>
    InvalidMac,
    /// <summary>The peer's identity key differs from the one we trust for that address.</summary>
    UntrustedIdentity,
    /// <summary>A prekey message names a one-time prekey we do not have (already used or never made).</summary>
    InvalidPreKeyId,
    /// <summary>A prekey message names a signed prekey we do not have.</summary>
    InvalidSignedPreKeyId,
    /// <summary>A prekey message names a Kyber prekey we do not have.</summary>
    InvalidKyberPreKeyId,
    /// <summary>The message key for this counter was already used: a duplicate or replay.</summary>
    DuplicateMessage,
    /// <summary>The message counter is further ahead than <see cref="ProtocolConstants.MaxForwardJumps"/>.</summary>
    MessageTooFarInFuture,
    /// <summary>No session exists for the address.</summary>
    NoSession,
    /// <summary>No sender-key state exists for the sender, distribution and chain.</summary>
    NoSenderKeyState,
    /// <summary>The message uses a protocol version older than we accept.</summary>
    LegacyVersion,
    /// <summary>The message uses a protocol version newer than we know.</summary>
    UnknownVersion,
    /// <summary>A stored record cannot be parsed or is internally inconsistent.</summary>
    InvalidState,
    /// <summary>A caller passed an argument outside its documented range.</summary>
    InvalidArgument,
    /// <summary>A scannable fingerprint cannot be parsed.</summary>
    FingerprintParsing,
    /// <summary>A scannable fingerprint has another version than ours.</summary>
    FingerprintVersionMismatch,
}

/// <summary>The single exception type of Parley.Crypto; <see cref="Error"/> says what failed.</summary>
public sealed class SignalProtocolException : Exception
{
    public SignalProtocolException(SignalError error, string message)
        : base(message) => Error = error;

    public SignalProtocolException(SignalError error, string message, Exception inner)
        : base(message, inner) => Error = error;

    public SignalError Error { get; }
}
