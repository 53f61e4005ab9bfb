using System.Net;
using Google.Protobuf;
using Parley.Client.Api;
using Parley.Client.Storage;
using Parley.Protocol.Groups;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;

namespace Parley.Client.Messaging;

/// <summary>
/// Group management over REST, and the group state this device keeps: the highest version seen in
/// REST answers and GROUP_EVENT envelopes. A member disappearing from that state retires our sender
/// key for the group (see <see cref="LocalGroup.SenderKeyDistributionId"/>).
/// </summary>
public sealed partial class ParleyClient
{
    /// <summary>A group changed: created, members added/removed/left, admins, info, settings.</summary>
    public event Action<GroupChangedEvent>? GroupChanged;

    /// <summary>Creates a group with these members (numbers); this account becomes its admin.</summary>
    /// <exception cref="UnknownNumberException">A number is not registered.</exception>
    public async Task<LocalGroup> CreateGroupAsync(string name, IEnumerable<string> memberNumbers, string? description = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memberNumbers);
        var members = await AccountsOfAsync(memberNumbers, cancellationToken);
        var created = await _api.CreateGroupAsync(Account.Credentials, new CreateGroupRequest(name, members, description), cancellationToken);
        return await ApplyGroupResponseAsync(created);
    }

    /// <summary>The groups stored on this device (including ones we left), by name.</summary>
    public Task<IReadOnlyList<LocalGroup>> ListGroupsAsync() => _store.ListGroupsAsync();

    /// <summary>Asks the server for every group this account is in and stores what is newer.</summary>
    public async Task<IReadOnlyList<LocalGroup>> RefreshGroupsAsync(CancellationToken cancellationToken = default)
    {
        var groups = new List<LocalGroup>();
        foreach (var group in (await _api.ListGroupsAsync(Account.Credentials, cancellationToken)).Groups)
        {
            groups.Add(await ApplyGroupResponseAsync(group));
        }
        return groups;
    }

    /// <summary>
    /// Asks the server for one group and stores it when newer: a device that does not receive (a
    /// one-shot tool) calls this before sending, so a member removed meanwhile retires our key first.
    /// </summary>
    /// <exception cref="NotAGroupMemberException">We left or were removed.</exception>
    public async Task<LocalGroup> RefreshGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        await ApplyGroupResponseAsync(await GroupCallAsync(groupId, () => _api.GetGroupAsync(Account.Credentials, groupId, cancellationToken)));

    /// <summary>The group by id or by its unique name among this device's groups (asking the server when not stored yet).</summary>
    /// <exception cref="GroupNotFoundException">No such group, or more than one has this name.</exception>
    public async Task<LocalGroup> FindGroupAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(idOrName);
        if (await _store.LoadGroupAsync(idOrName) is { } byId)
        {
            return byId;
        }
        var named = (await _store.ListGroupsAsync()).Where(g => g.Name == idOrName).ToList();
        if (named.Count == 0)
        {
            named = (await RefreshGroupsAsync(cancellationToken)).Where(g => g.GroupId == idOrName || g.Name == idOrName).ToList();
        }
        var current = named.Where(g => g.IsMember).ToList();
        return (current.Count > 0 ? current : named) switch
        {
            [var single] => single,
            [] => throw new GroupNotFoundException(idOrName),
            var many => throw new GroupNotFoundException(idOrName,
                $"{many.Count} groups are named \"{idOrName}\"; use the group id ({string.Join(", ", many.Select(g => g.GroupId))})."),
        };
    }

    public async Task<LocalGroup> AddGroupMembersAsync(string groupId, IEnumerable<string> numbers, CancellationToken cancellationToken = default)
    {
        var accounts = await AccountsOfAsync(numbers, cancellationToken);
        var group = await ApplyGroupResponseAsync(await GroupCallAsync(groupId, () => _api.AddGroupMembersAsync(Account.Credentials, groupId, accounts, cancellationToken)));
        await ShareGroupPhotoWithNewMembersAsync(group, cancellationToken);
        return group;
    }

    /// <summary>Removes a member (admins only); our next message to the group uses a new sender key.</summary>
    public async Task<LocalGroup> RemoveGroupMemberAsync(string groupId, string number, CancellationToken cancellationToken = default)
    {
        var account = (await ResolveAsync(number, cancellationToken)).AccountId;
        return await ApplyGroupResponseAsync(await GroupCallAsync(groupId, () => _api.RemoveGroupMemberAsync(Account.Credentials, groupId, account, cancellationToken)));
    }

    /// <summary>Leaves the group; its history stays on this device.</summary>
    public async Task LeaveGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        var after = await GroupCallAsync(groupId, () => _api.RemoveGroupMemberAsync(Account.Credentials, groupId, AccountId, cancellationToken));
        await ApplyGroupResponseAsync(after);
    }

    /// <summary>Promotes (or, with <paramref name="admin"/> false, demotes) a member; admins only.</summary>
    public async Task<LocalGroup> SetGroupAdminAsync(string groupId, string number, bool admin, CancellationToken cancellationToken = default)
    {
        var account = (await ResolveAsync(number, cancellationToken)).AccountId;
        return await ApplyGroupResponseAsync(await GroupCallAsync(groupId, () => _api.SetGroupAdminAsync(Account.Credentials, groupId, account, admin, cancellationToken)));
    }

    /// <summary>Changes name, description or settings; null leaves a field as it is.</summary>
    public async Task<LocalGroup> UpdateGroupAsync(string groupId, UpdateGroupRequest change, CancellationToken cancellationToken = default) =>
        await ApplyGroupResponseAsync(await GroupCallAsync(groupId, () => _api.UpdateGroupAsync(Account.Credentials, groupId, change, cancellationToken)));

    /// <summary>"Message info" of a message we sent to the group: each other member's delivered and read time, from the server.</summary>
    public async Task<IReadOnlyList<GroupMemberReceipt>> GetGroupMessageInfoAsync(string groupId, byte[] messageId, CancellationToken cancellationToken = default)
    {
        var info = await GroupCallAsync(groupId, () => _api.GetGroupMessageInfoAsync(Account.Credentials, groupId, messageId, cancellationToken));
        var receipts = new List<GroupMemberReceipt>();
        foreach (var member in info.Members)
        {
            receipts.Add(new GroupMemberReceipt(member.AccountId, (await _store.FindContactByAccountAsync(member.AccountId))?.Number,
                member.DeliveredAt, member.ReadAt));
        }
        return receipts;
    }

    /// <summary>The group chat on this device, oldest first.</summary>
    public Task<IReadOnlyList<GroupMessage>> GetGroupHistoryAsync(string groupId) => _store.GetGroupHistoryAsync(groupId);

    /// <summary>How this device names an account: "you", a known number, or the start of the account id.</summary>
    public async Task<string> DisplayNameAsync(string accountId) =>
        accountId == AccountId ? "you"
        : (await _store.FindContactByAccountAsync(accountId))?.Number ?? (accountId.Length > 8 ? accountId[..8] + "…" : accountId);

    private async Task<List<string>> AccountsOfAsync(IEnumerable<string> numbers, CancellationToken cancellationToken)
    {
        var accounts = new List<string>();
        foreach (var number in numbers)
        {
            accounts.Add((await ResolveAsync(number, cancellationToken)).AccountId);
        }
        return accounts;
    }

    /// <summary>Runs a group REST call; "not a member" marks the stored group as left before it surfaces.</summary>
    private async Task<T> GroupCallAsync<T>(string groupId, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ParleyApiException error) when (error.Code == ErrorCodes.NotAMember || (error.Status == HttpStatusCode.NotFound && error.Code.StartsWith("http_", StringComparison.Ordinal)))
        {
            await MarkNotMemberAsync(groupId);
            throw new NotAGroupMemberException((await _store.LoadGroupAsync(groupId))?.Name ?? groupId);
        }
    }

    private Task MarkNotMemberAsync(string groupId) => _store.AtomicallyAsync(async () =>
    {
        if (await _store.LoadGroupAsync(groupId) is { IsMember: true } group)
        {
            await _store.SaveGroupAsync(group with { IsMember = false, SenderKeyDistributionId = null, SenderKeyHolders = [] });
        }
        return true;
    });

    private async Task<LocalGroup> ApplyGroupResponseAsync(GroupResponse response) =>
        (await MergeGroupAsync(new LocalGroup(response.GroupId, response.Version, response.Name, response.Description, response.OnlyAdminsSend,
            response.Members.Select(m => new GroupMemberInfo(m.AccountId, m.Admin, m.JoinedAt)).ToList(), true, null, [], response.Picture))).Group;

    /// <summary>
    /// Stores <paramref name="incoming"/> unless this device already knows a newer version; keeps our
    /// sender key unless someone is gone from the member list, so a removed member never sees a
    /// message under a key it holds.
    /// </summary>
    /// <returns>The group as stored now, and whether <paramref name="incoming"/> was at least as new as what we knew.</returns>
    private Task<(LocalGroup Group, bool NotOlder)> MergeGroupAsync(LocalGroup incoming) =>
        _store.AtomicallyAsync(async () =>
        {
            var known = await _store.LoadGroupAsync(incoming.GroupId);
            if (known is not null && known.Version >= incoming.Version)
            {
                return (known, known.Version == incoming.Version);
            }
            var isMember = incoming.Member(AccountId) is not null;
            var someoneLeft = known is not null && known.Members.Any(m => incoming.Member(m.AccountId) is null);
            var keepKey = isMember && known is not null && !someoneLeft;
            var merged = incoming with
            {
                IsMember = isMember,
                SenderKeyDistributionId = keepKey ? known!.SenderKeyDistributionId : null,
                SenderKeyHolders = keepKey ? known!.SenderKeyHolders : [],
                Photo = known?.Photo,
            };
            await _store.SaveGroupAsync(merged);
            return (merged, true);
        });

    /// <summary>A GROUP_EVENT from the server: store the group as it is now and tell the UI what happened.</summary>
    private async Task ApplyGroupEventAsync(Envelope envelope)
    {
        GroupEvent groupEvent;
        try
        {
            groupEvent = GroupEvent.Parser.ParseFrom(envelope.Content);
        }
        catch (InvalidProtocolBufferException error)
        {
            DecryptionFailed?.Invoke(new DecryptionFailedEvent(envelope.SourceAccount, envelope.SourceDevice, "malformed group event: " + error.Message));
            return;
        }
        var snapshot = groupEvent.Group ?? new GroupSnapshot();
        var incoming = new LocalGroup(groupEvent.GroupId, (long)groupEvent.Version, snapshot.Name, snapshot.Description, snapshot.OnlyAdminsSend,
            snapshot.Members.Select(m => new GroupMemberInfo(m.AccountId, m.Admin, m.JoinedAt)).ToList(), true, null, [], snapshot.Picture);
        if (groupEvent.Group is null)
        {
            // Sent to a member removed from the group: keep the name we knew.
            incoming = incoming with { Name = (await _store.LoadGroupAsync(groupEvent.GroupId))?.Name ?? "" };
        }
        var (group, notOlder) = await MergeGroupAsync(incoming);
        if (notOlder)
        {
            var targets = groupEvent.TargetAccounts.ToList();
            GroupChanged?.Invoke(new GroupChangedEvent(group, groupEvent.Kind, groupEvent.ActorAccount, targets,
                await DescribeAsync(groupEvent.Kind, groupEvent.ActorAccount, targets, group), groupEvent.Timestamp));
        }
    }

    private async Task<string> DescribeAsync(GroupEventKind kind, string actorAccount, IReadOnlyList<string> targetAccounts, LocalGroup group)
    {
        var actor = await DisplayNameAsync(actorAccount);
        var names = new List<string>();
        foreach (var target in targetAccounts)
        {
            names.Add(await DisplayNameAsync(target));
        }
        var targets = string.Join(", ", names);
        var sentence = kind switch
        {
            GroupEventKind.Created => $"{actor} created the group \"{group.Name}\"",
            GroupEventKind.MembersAdded => $"{actor} added {targets}",
            GroupEventKind.MemberRemoved => $"{actor} removed {targets}",
            GroupEventKind.MemberLeft => $"{actor} left",
            GroupEventKind.AdminPromoted => $"{actor} made {targets} an admin",
            GroupEventKind.AdminDemoted => $"{actor} removed {targets} as admin",
            GroupEventKind.InfoChanged => $"{actor} changed the group info (name: \"{group.Name}\")",
            GroupEventKind.SettingsChanged => $"{actor} changed the group settings",
            GroupEventKind.InviteLinkChanged => $"{actor} changed the invite link",
            GroupEventKind.JoinedByLink => $"{actor} joined via the invite link",
            _ => $"{actor} changed the group",
        };
        return char.ToUpperInvariant(sentence[0]) + sentence[1..];
    }
}
