namespace Parley.Server.Groups;

/// <summary>A group as the grain holds and returns it (serializable across silos).</summary>
[GenerateSerializer, Immutable]
public sealed record GroupView(
    [property: Id(0)] string Id,
    [property: Id(1)] long Version,
    [property: Id(2)] string Name,
    [property: Id(3)] string Description,
    [property: Id(4)] string Picture,
    [property: Id(5)] bool OnlyAdminsEditInfo,
    [property: Id(6)] bool OnlyAdminsSend,
    [property: Id(7)] string? InviteToken,
    [property: Id(8)] IReadOnlyList<GroupMemberView> Members)
{
    public GroupMemberView? Member(string accountId) => Members.FirstOrDefault(m => m.AccountId == accountId);

    public bool IsAdmin(string accountId) => Member(accountId)?.Admin == true;
}

[GenerateSerializer, Immutable]
public sealed record GroupMemberView([property: Id(0)] string AccountId, [property: Id(1)] bool Admin, [property: Id(2)] long JoinedAt);

/// <summary>A requested change of group info or settings; null means unchanged.</summary>
[GenerateSerializer, Immutable]
public sealed record GroupInfoChange(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? Description,
    [property: Id(2)] string? Picture,
    [property: Id(3)] bool? OnlyAdminsEditInfo,
    [property: Id(4)] bool? OnlyAdminsSend);

/// <summary>The outcome of a group command: the group afterwards, or why it was refused.</summary>
[GenerateSerializer, Immutable]
public sealed record GroupOutcome(
    [property: Id(0)] GroupView? Group,
    [property: Id(1)] string? ErrorCode,
    [property: Id(2)] string? Error,
    [property: Id(3)] string? Token = null)
{
    public static GroupOutcome Ok(GroupView group, string? token = null) => new(group, null, null, token);

    public static GroupOutcome Refused(string code, string message) => new(null, code, message);
}

/// <summary>A group message as it reaches the grain.</summary>
[GenerateSerializer, Immutable]
public sealed record GroupMessage(
    [property: Id(0)] string SenderAccount,
    [property: Id(1)] int SenderDevice,
    [property: Id(2)] byte[] MessageId,
    [property: Id(3)] long ClientTimestamp,
    [property: Id(4)] byte[] Content);

[GenerateSerializer, Immutable]
public sealed record GroupSendOutcome(
    [property: Id(0)] long ServerTimestamp,
    [property: Id(1)] int RecipientDevices,
    [property: Id(2)] Protocol.Wire.ErrorCode? Error,
    [property: Id(3)] string? ErrorMessage);

/// <summary>Limits of groups, with their reasons.</summary>
public static class GroupLimits
{
    /// <summary>WhatsApp's limit; also bounds one fan-out transaction to a few thousand rows.</summary>
    public const int MaxMembers = 1024;

    public const int MaxNameLength = 100;

    public const int MaxDescriptionLength = 2048;

    public const int MaxPictureLength = 512;
}
