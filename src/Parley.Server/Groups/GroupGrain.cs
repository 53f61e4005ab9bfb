using System.Security.Cryptography;
using Parley.Protocol.Groups;
using Parley.Server.Accounts;
using Parley.Server.Messages;
using Parley.Server.Privacy;
using RestErrors = Parley.Protocol.Rest.ErrorCodes;

namespace Parley.Server.Groups;

/// <summary>Group commands and fan-out; see <see cref="IGroupGrain"/>.</summary>
public sealed partial class GroupGrain(GroupStore store, EnvelopeWriter writer, Connections.EnvelopeNotifier notifier, PrivacyPolicy privacy,
    TimeProvider clock)
    : Grain, IGroupGrain
{
    /// <summary>How long the member device list is reused between sends (as <see cref="DeviceDirectory"/> does).</summary>
    private static readonly TimeSpan DeviceListLifetime = TimeSpan.FromSeconds(2);

    private GroupView? _group;
    private IReadOnlyList<DeviceAddress>? _memberDevices;

    /// <summary>Member devices known to have a cursor into the group log, reloaded with <see cref="_memberDevices"/>.</summary>
    private HashSet<DeviceAddress>? _cursorDevices;
    private long _memberDevicesLoadedAt;

    private string GroupId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        _group = await store.LoadAsync(GroupId, cancellationToken);

    public async Task<GroupOutcome> Create(string creator, string name, string description, string picture, string[] members)
    {
        if (_group is not null)
        {
            return GroupOutcome.Refused(RestErrors.InvalidRequest, "This group already exists.");
        }
        var invited = members.Where(m => m != creator).Distinct().ToArray();
        var refused = CheckInfo(name, description, picture) ?? await CheckNewMembersAsync(creator, invited, 1);
        if (refused is not null)
        {
            return refused;
        }
        var now = Now();
        var group = new GroupView(GroupId, 1, name.Trim(), description ?? "", picture ?? "", false, false, null,
            [new GroupMemberView(creator, true, now), .. invited.Select(m => new GroupMemberView(m, false, now))]);
        return await CommitAsync(group, GroupEventKind.Created, creator, invited);
    }

    public Task<GroupOutcome> Get(string requester) =>
        Task.FromResult(_group?.Member(requester) is null ? NotAMember() : GroupOutcome.Ok(_group!));

    public async Task<GroupOutcome> Update(string actor, GroupInfoChange change)
    {
        if (_group?.Member(actor) is null)
        {
            return NotAMember();
        }
        var changesSettings = change.OnlyAdminsEditInfo is not null || change.OnlyAdminsSend is not null;
        if (!_group.IsAdmin(actor) && (changesSettings || _group.OnlyAdminsEditInfo))
        {
            return Forbidden(changesSettings ? "Only admins can change group settings." : "Only admins can edit this group's info.");
        }
        var next = _group with
        {
            Version = _group.Version + 1,
            Name = change.Name?.Trim() ?? _group.Name,
            Description = change.Description ?? _group.Description,
            Picture = change.Picture ?? _group.Picture,
            OnlyAdminsEditInfo = change.OnlyAdminsEditInfo ?? _group.OnlyAdminsEditInfo,
            OnlyAdminsSend = change.OnlyAdminsSend ?? _group.OnlyAdminsSend,
        };
        if (CheckInfo(next.Name, next.Description, next.Picture) is { } refused)
        {
            return refused;
        }
        return await CommitAsync(next, changesSettings ? GroupEventKind.SettingsChanged : GroupEventKind.InfoChanged, actor, []);
    }

    public async Task<GroupOutcome> AddMembers(string actor, string[] accounts)
    {
        if (_group?.Member(actor) is null)
        {
            return NotAMember();
        }
        if (!_group.IsAdmin(actor))
        {
            return Forbidden("Only admins can add members.");
        }
        var added = accounts.Distinct().Where(a => _group.Member(a) is null).ToArray();
        if (await CheckNewMembersAsync(actor, added, _group.Members.Count) is { } refused)
        {
            return refused;
        }
        var now = Now();
        var next = _group with { Version = _group.Version + 1, Members = [.. _group.Members, .. added.Select(a => new GroupMemberView(a, false, now))] };
        return await CommitAsync(next, GroupEventKind.MembersAdded, actor, added);
    }

    public async Task<GroupOutcome> RemoveMember(string actor, string target)
    {
        if (_group?.Member(actor) is null)
        {
            return NotAMember();
        }
        if (_group.Member(target) is null)
        {
            return GroupOutcome.Refused(RestErrors.InvalidRequest, "That account is not a member of this group.");
        }
        var leaving = actor == target;
        if (!leaving && !_group.IsAdmin(actor))
        {
            return Forbidden("Only admins can remove members.");
        }
        var remaining = _group.Members.Where(m => m.AccountId != target).ToList();
        if (remaining.Count > 0 && !remaining.Any(m => m.Admin))
        {
            // The last admin left: the longest-standing member takes over, as in WhatsApp.
            var successor = remaining.OrderBy(m => m.JoinedAt).First();
            remaining[remaining.IndexOf(successor)] = successor with { Admin = true };
        }
        var next = _group with { Version = _group.Version + 1, Members = remaining };
        return await CommitAsync(next, leaving ? GroupEventKind.MemberLeft : GroupEventKind.MemberRemoved, actor, [target], alsoNotify: [target]);
    }

    public async Task<GroupOutcome> SetAdmin(string actor, string target, bool admin)
    {
        if (_group?.Member(actor) is null)
        {
            return NotAMember();
        }
        if (!_group.IsAdmin(actor))
        {
            return Forbidden("Only admins can promote or demote members.");
        }
        if (_group.Member(target) is not { } member)
        {
            return GroupOutcome.Refused(RestErrors.InvalidRequest, "That account is not a member of this group.");
        }
        if (!admin && member.Admin && _group.Members.Count(m => m.Admin) == 1)
        {
            return Forbidden("A group needs at least one admin; promote someone else first.");
        }
        var next = _group with
        {
            Version = _group.Version + 1,
            Members = _group.Members.Select(m => m.AccountId == target ? m with { Admin = admin } : m).ToList(),
        };
        return await CommitAsync(next, admin ? GroupEventKind.AdminPromoted : GroupEventKind.AdminDemoted, actor, [target]);
    }

    public async Task<GroupOutcome> SetInviteLink(string actor, bool enabled)
    {
        if (_group?.Member(actor) is null)
        {
            return NotAMember();
        }
        if (!_group.IsAdmin(actor))
        {
            return Forbidden("Only admins can manage invite links.");
        }
        var token = enabled ? Base64Url(RandomNumberGenerator.GetBytes(16)) : null;
        var outcome = await CommitAsync(_group with { Version = _group.Version + 1, InviteToken = token }, GroupEventKind.InviteLinkChanged, actor, []);
        return outcome with { Token = token };
    }

    public async Task<GroupOutcome> JoinByLink(string account, string token)
    {
        if (_group?.InviteToken is null || !CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(_group.InviteToken), System.Text.Encoding.UTF8.GetBytes(token)))
        {
            return GroupOutcome.Refused(RestErrors.InvalidInvite, "This invite link is not valid (any more).");
        }
        if (_group.Member(account) is not null)
        {
            return GroupOutcome.Ok(_group);
        }
        if (_group.Members.Count >= GroupLimits.MaxMembers)
        {
            return GroupOutcome.Refused(RestErrors.GroupFull, $"A group has at most {GroupLimits.MaxMembers} members.");
        }
        var next = _group with { Version = _group.Version + 1, Members = [.. _group.Members, new GroupMemberView(account, false, Now())] };
        return await CommitAsync(next, GroupEventKind.JoinedByLink, account, [account]);
    }

    private static GroupOutcome NotAMember() =>
        GroupOutcome.Refused(RestErrors.NotAMember, "No such group, or you are not a member of it.");

    private static GroupOutcome Forbidden(string message) => GroupOutcome.Refused(RestErrors.Forbidden, message);

    private static GroupOutcome? CheckInfo(string? name, string? description, string? picture)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > GroupLimits.MaxNameLength)
        {
            return GroupOutcome.Refused(RestErrors.InvalidRequest, $"A group name has 1 to {GroupLimits.MaxNameLength} characters.");
        }
        if ((description?.Length ?? 0) > GroupLimits.MaxDescriptionLength || (picture?.Length ?? 0) > GroupLimits.MaxPictureLength)
        {
            return GroupOutcome.Refused(RestErrors.InvalidRequest, "The description or picture reference is too long.");
        }
        return null;
    }

    /// <summary>Room in the group, accounts that exist, and each one's "who can add me to groups" setting (and blocks).</summary>
    private async Task<GroupOutcome?> CheckNewMembersAsync(string actor, string[] accounts, int currentCount)
    {
        if (currentCount + accounts.Length > GroupLimits.MaxMembers)
        {
            return GroupOutcome.Refused(RestErrors.GroupFull, $"A group has at most {GroupLimits.MaxMembers} members.");
        }
        var existing = await store.ExistingAccountsAsync(accounts, CancellationToken.None);
        var unknown = accounts.Where(a => !existing.Contains(a)).ToList();
        if (unknown.Count > 0)
        {
            return GroupOutcome.Refused(RestErrors.UnknownAccount, $"No such account: {string.Join(", ", unknown.Take(5))}.");
        }
        var notAllowed = new List<string>();
        foreach (var account in accounts)
        {
            if (!await privacy.AllowsAsync(account, actor, PrivacyTopic.Groups, CancellationToken.None))
            {
                notAllowed.Add(account);
            }
        }
        return notAllowed.Count == 0
            ? null
            : GroupOutcome.Refused(RestErrors.GroupAddNotAllowed,
                $"Their privacy settings don't let you add {string.Join(", ", notAllowed.Take(5))}; send them the group's invite link instead.");
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
