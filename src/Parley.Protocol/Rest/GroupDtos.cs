namespace Parley.Protocol.Rest;

/// <summary>POST /v1/groups: a new group; the creator becomes its first admin.</summary>
public sealed record CreateGroupRequest(string Name, IReadOnlyList<string> Members, string? Description = null, string? Picture = null);

/// <summary>PATCH /v1/groups/{id}: change info or settings; null fields stay as they are.</summary>
public sealed record UpdateGroupRequest(
    string? Name = null,
    string? Description = null,
    string? Picture = null, // refused when set: the group photo goes through PUT /v1/groups/{id}/photo, encrypted
    bool? OnlyAdminsEditInfo = null,
    bool? OnlyAdminsSend = null);

/// <summary>POST /v1/groups/{id}/members.</summary>
public sealed record AddMembersRequest(IReadOnlyList<string> Members);

public sealed record GroupMemberDto(string AccountId, bool Admin, long JoinedAt);

/// <summary>A group as its members see it.</summary>
public sealed record GroupResponse(
    string GroupId,
    long Version,
    string Name,
    string Description,
    string Picture,
    bool OnlyAdminsEditInfo,
    bool OnlyAdminsSend,
    IReadOnlyList<GroupMemberDto> Members);

public sealed record GroupListResponse(IReadOnlyList<GroupResponse> Groups);

/// <summary>An invite link token; anyone holding it may join until an admin revokes it.</summary>
public sealed record InviteLinkResponse(string Token);

public sealed record JoinGroupRequest(string Token);

/// <summary>Per-member delivery state of one group message ("message info"). Times are Unix ms, null = not yet.</summary>
public sealed record MessageInfoResponse(string GroupId, string MessageId, IReadOnlyList<MemberReceiptDto> Members);

public sealed record MemberReceiptDto(string AccountId, long? DeliveredAt, long? ReadAt);
