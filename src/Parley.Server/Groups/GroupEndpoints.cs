using System.Security.Claims;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;

namespace Parley.Server.Groups;

/// <summary>Group management over REST; every change also reaches members as a GROUP_EVENT envelope.</summary>
public static partial class GroupEndpoints
{
    public static void MapGroupEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/groups").WithTags("Groups").RequireAuthorization();
        group.MapPost("/", CreateAsync).WithSummary("Create a group; the creator is its first admin.");
        group.MapGet("/", ListAsync).WithSummary("The groups this account is a member of.");
        group.MapGet("/{groupId}", (string groupId, ClaimsPrincipal user, IGrainFactory grains) =>
            Answer(Grain(grains, groupId).Get(user.Device().AccountId))).WithSummary("A group's info and members (members only).");
        group.MapPatch("/{groupId}", (string groupId, UpdateGroupRequest request, ClaimsPrincipal user, IGrainFactory grains) =>
            request.Picture is not null ? Task.FromResult(PictureOnlyThroughPhoto())
            : Answer(Grain(grains, groupId).Update(user.Device().AccountId, new GroupInfoChange(request.Name, request.Description,
                null, request.OnlyAdminsEditInfo, request.OnlyAdminsSend)))).WithSummary("Change name, description or settings.");
        group.MapPost("/{groupId}/members", (string groupId, AddMembersRequest request, ClaimsPrincipal user, IGrainFactory grains) =>
            Answer(Grain(grains, groupId).AddMembers(user.Device().AccountId, [.. request.Members ?? []]))).WithSummary("Add members (admins).");
        group.MapDelete("/{groupId}/members/{accountId}", (string groupId, string accountId, ClaimsPrincipal user, IGrainFactory grains) =>
            Answer(Grain(grains, groupId).RemoveMember(user.Device().AccountId, accountId)))
            .WithSummary("Remove a member (admins), or leave when it is your own account id.");
        group.MapPut("/{groupId}/admins/{accountId}", (string groupId, string accountId, ClaimsPrincipal user, IGrainFactory grains) =>
            Answer(Grain(grains, groupId).SetAdmin(user.Device().AccountId, accountId, true))).WithSummary("Promote a member to admin.");
        group.MapDelete("/{groupId}/admins/{accountId}", (string groupId, string accountId, ClaimsPrincipal user, IGrainFactory grains) =>
            Answer(Grain(grains, groupId).SetAdmin(user.Device().AccountId, accountId, false))).WithSummary("Demote an admin.");
        group.MapPost("/{groupId}/invite-link", async (string groupId, ClaimsPrincipal user, IGrainFactory grains) =>
        {
            var outcome = await Grain(grains, groupId).SetInviteLink(user.Device().AccountId, true);
            return outcome.ErrorCode is null ? Results.Ok(new InviteLinkResponse(outcome.Token!)) : Problem(outcome);
        }).WithSummary("Create a new invite link (the previous one stops working).");
        group.MapDelete("/{groupId}/invite-link", (string groupId, ClaimsPrincipal user, IGrainFactory grains) =>
            Answer(Grain(grains, groupId).SetInviteLink(user.Device().AccountId, false))).WithSummary("Revoke the invite link.");
        group.MapPost("/join", JoinAsync).WithSummary("Join a group with an invite link token.");
        MapPhotoEndpoints(group);
        group.MapGet("/{groupId}/messages/{messageId}/info", MessageInfoAsync)
            .WithSummary("Per-member delivered/read times of a message you sent (message id as 32 hex digits).");
    }

    private static async Task<IResult> CreateAsync(CreateGroupRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (request.Picture is { Length: > 0 })
        {
            return PictureOnlyThroughPhoto();
        }
        var groupId = Guid.NewGuid().ToString();
        var outcome = await Grain(grains, groupId).Create(user.Device().AccountId, request.Name ?? "", request.Description ?? "",
            "", [.. request.Members ?? []]);
        return outcome.Group is { } created ? Results.Created($"/v1/groups/{groupId}", ToResponse(created)) : Problem(outcome);
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, GroupStore store, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var account = user.Device().AccountId;
        var groups = new List<GroupResponse>();
        foreach (var id in await store.ListForAccountAsync(account, cancellationToken))
        {
            if ((await Grain(grains, id).Get(account)).Group is { } group)
            {
                groups.Add(ToResponse(group));
            }
        }
        return Results.Ok(new GroupListResponse(groups));
    }

    private static async Task<IResult> JoinAsync(JoinGroupRequest request, ClaimsPrincipal user, GroupStore store, IGrainFactory grains,
        CancellationToken cancellationToken)
    {
        var groupId = string.IsNullOrEmpty(request.Token) ? null : await store.FindByInviteTokenAsync(request.Token, cancellationToken);
        return groupId is null
            ? ApiProblem.NotFound(ErrorCodes.InvalidInvite, "This invite link is not valid (any more).")
            : await Answer(Grain(grains, groupId).JoinByLink(user.Device().AccountId, request.Token));
    }

    private static async Task<IResult> MessageInfoAsync(string groupId, string messageId, ClaimsPrincipal user, GroupStore store,
        IGrainFactory grains, CancellationToken cancellationToken)
    {
        var account = user.Device().AccountId;
        var outcome = await Grain(grains, groupId).Get(account);
        if (outcome.Group is not { } group)
        {
            return Problem(outcome);
        }
        byte[] id;
        try
        {
            id = Convert.FromHexString(messageId);
        }
        catch (FormatException)
        {
            id = [];
        }
        if (id.Length != 16)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "The message id must be 32 hex digits.");
        }
        var (sender, receipts) = await store.GetMessageInfoAsync(groupId, id, cancellationToken);
        if (sender != account)
        {
            return ApiProblem.NotFound(ErrorCodes.InvalidRequest, "Message info is only available for messages you sent to this group.");
        }
        var byMember = receipts.ToDictionary(r => r.Member);
        var members = group.Members.Where(m => m.AccountId != account).Select(m => byMember.TryGetValue(m.AccountId, out var r)
            ? new MemberReceiptDto(m.AccountId, FirstOf(r.Delivered, r.Read), r.Read)
            : new MemberReceiptDto(m.AccountId, null, null)).ToList();
        return Results.Ok(new MessageInfoResponse(groupId, messageId.ToLowerInvariant(), members));
    }

    /// <summary>Reading implies delivery, even when the member's read receipt overtook its device's ack.</summary>
    private static long? FirstOf(long? delivered, long? read) =>
        delivered is { } d && read is { } r ? Math.Min(d, r) : delivered ?? read;

    private static IGroupGrain Grain(IGrainFactory grains, string groupId) => grains.GetGrain<IGroupGrain>(groupId);

    private static async Task<IResult> Answer(Task<GroupOutcome> command)
    {
        var outcome = await command;
        return outcome.Group is { } group ? Results.Ok(ToResponse(group)) : Problem(outcome);
    }

    private static IResult Problem(GroupOutcome outcome) => outcome.ErrorCode switch
    {
        ErrorCodes.NotAMember => ApiProblem.NotFound(outcome.ErrorCode, outcome.Error!),
        ErrorCodes.Forbidden or ErrorCodes.GroupAddNotAllowed => ApiProblem.Create(StatusCodes.Status403Forbidden, outcome.ErrorCode, outcome.Error!),
        ErrorCodes.InvalidInvite => ApiProblem.NotFound(outcome.ErrorCode, outcome.Error!),
        _ => ApiProblem.BadRequest(outcome.ErrorCode ?? ErrorCodes.InvalidRequest, outcome.Error ?? "The request was refused."),
    };

    public static GroupResponse ToResponse(GroupView group) => new(group.Id, group.Version, group.Name, group.Description, group.Picture,
        group.OnlyAdminsEditInfo, group.OnlyAdminsSend, group.Members.Select(m => new GroupMemberDto(m.AccountId, m.Admin, m.JoinedAt)).ToList());
}
