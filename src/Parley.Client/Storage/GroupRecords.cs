namespace Parley.Client.Storage;

/// <summary>A member of a group as this device last learned it (REST answer or group event).</summary>
public sealed record GroupMemberInfo(string AccountId, bool Admin, long JoinedAt);

/// <summary>The key of a group photo, as a member sent it; it opens the photo while the group's <c>Picture</c> is <paramref name="MediaId"/>.</summary>
public sealed record GroupPhotoKey(string MediaId, byte[] Key);

/// <summary>
/// A group as this device knows it: the server's metadata at <see cref="Version"/> (the highest
/// seen), plus this device's own Sender Keys state for the group.
/// </summary>
/// <param name="IsMember">False once this account left or was removed; the chat stays readable.</param>
/// <param name="SenderKeyDistributionId">Our current sender key for the group; null = create a new one before the next message (after a member left).</param>
/// <param name="SenderKeyHolders">Accounts whose devices already hold that key (our own account id stands for our other devices).</param>
/// <param name="Picture">The server's id of the group photo's encrypted blob ("" = none).</param>
/// <param name="Photo">The last group photo key a member sent us (see <see cref="GroupPhotoKey"/>).</param>

public sealed record LocalGroup(
    string GroupId,
    long Version,
    string Name,
    string Description,
    bool OnlyAdminsSend,
    IReadOnlyList<GroupMemberInfo> Members,
    bool IsMember,
    Guid? SenderKeyDistributionId,
    IReadOnlyList<string> SenderKeyHolders,
    string Picture = "",
    GroupPhotoKey? Photo = null)
{
    public GroupMemberInfo? Member(string accountId) => Members.FirstOrDefault(m => m.AccountId == accountId);

    public override string ToString() => $"{GroupId} v{Version} ({Members.Count} members)";
}

/// <summary>One message of a group chat.</summary>
/// <param name="MessageId">The sender's 16 random bytes; unique per group and sender.</param>
/// <param name="Status">Outgoing: Sent, then Delivered once every member has it, Read once every member read it.</param>
public sealed record GroupMessage(
    string GroupId,
    byte[] MessageId,
    string SenderAccountId,
    string SenderNumber,
    MessageDirection Direction,
    string Text,
    long Timestamp,
    MessageStatus Status)
{
    /// <summary>The file this message carries (then <see cref="Text"/> is its caption), or null.</summary>
    public Media.MediaAttachment? Attachment { get; init; }

    /// <summary>The message this one replies to, shown as a quoted block above <see cref="Text"/>, or null.</summary>
    public Messaging.MessageQuote? Quote { get; init; }

    public override string ToString() => $"{GroupId} {Direction} {Convert.ToHexString(MessageId)} {Status}";
}

/// <summary>A group message that arrived before its sender's key: kept (serialized envelope) and decrypted once the key arrives.</summary>
public sealed record PendingGroupEnvelope(string SenderAccountId, uint SenderDevice, byte[] MessageId, byte[] Envelope);
