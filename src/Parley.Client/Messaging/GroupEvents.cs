using Parley.Client.Storage;
using Parley.Protocol.Groups;

namespace Parley.Client.Messaging;

/// <summary>
/// A group changed (from a GROUP_EVENT): what the chat shows as a line such as "+15550001111 added
/// +15550002222". <see cref="Group"/> is the group as this device now knows it.
/// </summary>
/// <param name="Description">A readable sentence, numbers for people we know, "you" for this account.</param>
public sealed record GroupChangedEvent(LocalGroup Group, GroupEventKind Kind, string ActorAccountId, IReadOnlyList<string> TargetAccountIds,
    string Description, long Timestamp);

/// <summary>One member's state of a message we sent to a group, as the server recorded it (Unix ms, null = not yet).</summary>
public sealed record GroupMemberReceipt(string AccountId, string? Number, long? DeliveredAt, long? ReadAt);

/// <summary>No group with this id, or with this name among this device's groups (or the name is ambiguous).</summary>
public sealed class GroupNotFoundException(string group, string? reason = null)
    : Exception(reason ?? $"No group \"{group}\" on this device (use the group id or its unique name).")
{
    public string Group { get; } = group;
}

/// <summary>This account is not (any more) a member of the group: it left or was removed.</summary>
public sealed class NotAGroupMemberException(string group)
    : Exception($"You are not a member of the group \"{group}\" (any more).")
{
    public string Group { get; } = group;
}
