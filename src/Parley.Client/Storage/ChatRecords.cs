namespace Parley.Client.Storage;

/// <summary>A person we wrote with: the number users see and the account id the server routes by.</summary>
/// <param name="IdentityChangedAt">When the peer's identity key last changed (ms since epoch); the chat shows a warning until the user acknowledges it.</param>
/// <param name="ProfileKey">Their profile key, learned from their messages: it decrypts their profile photo.</param>
public sealed record Contact(string Number, string AccountId, long? IdentityChangedAt = null, byte[]? ProfileKey = null);

public enum MessageDirection
{
    Incoming = 1,
    Outgoing = 2,
}

/// <summary>Delivery state of an outgoing message; only ever moves forward.</summary>
public enum MessageStatus
{
    /// <summary>Being encrypted and sent.</summary>
    Pending = 0,
    /// <summary>The server stored it durably (one tick).</summary>
    Sent = 1,
    /// <summary>A recipient device stored it (two ticks).</summary>
    Delivered = 2,
    /// <summary>The recipient read it (blue ticks).</summary>
    Read = 3,
    /// <summary>Incoming messages: received and stored.</summary>
    Received = 10,
}

/// <summary>One message of the local history.</summary>
/// <param name="MessageId">The sender's 16 random bytes; unique per peer and direction.</param>
/// <param name="Timestamp">The sender's clock, ms since epoch.</param>
public sealed record StoredMessage(
    byte[] MessageId,
    string PeerAccountId,
    string PeerNumber,
    MessageDirection Direction,
    string Text,
    long Timestamp,
    MessageStatus Status)
{
    /// <summary>The file this message carries (then <see cref="Text"/> is its caption), or null.</summary>
    public Media.MediaAttachment? Attachment { get; init; }

    /// <summary>The message this one replies to, shown as a quoted block above <see cref="Text"/>, or null.</summary>
    public Messaging.MessageQuote? Quote { get; init; }

    public override string ToString() => $"{Direction} {Convert.ToHexString(MessageId)} {Status}";
}

/// <summary>One line of the chat list.</summary>
public sealed record ChatSummary(Contact Contact, StoredMessage? LastMessage, int MessageCount);

/// <summary>The kinds of private prekeys a device keeps.</summary>
public enum PreKeyKind
{
    OneTime = 1,
    Signed = 2,
    Kyber = 3,
}

/// <summary>A serialized prekey record; <paramref name="LastResort"/> Kyber keys survive use.</summary>
public sealed record StoredPreKey(byte[] Record, bool LastResort);
