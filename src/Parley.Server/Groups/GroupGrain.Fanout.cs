using Google.Protobuf;
using Parley.Protocol.Groups;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Messages;

namespace Parley.Server.Groups;

/// <summary>Fan-out: group messages and group events, stored once and referenced per member device.</summary>
public sealed partial class GroupGrain
{
    public async Task<GroupSendOutcome> Send(GroupMessage message)
    {
        var now = Now();
        if (_group?.Member(message.SenderAccount) is null)
        {
            return new GroupSendOutcome(now, 0, ErrorCode.NotAMember, "No such group, or you are not a member of it.");
        }
        if (_group.OnlyAdminsSend && !_group.IsAdmin(message.SenderAccount))
        {
            return new GroupSendOutcome(now, 0, ErrorCode.Forbidden, "Only admins can send messages to this group.");
        }
        var sender = new DeviceAddress(message.SenderAccount, message.SenderDevice);
        var targets = (await MemberDevicesAsync()).Where(d => d != sender).ToList();
        var recipientMembers = targets.Where(d => d.AccountId != sender.AccountId).DistinctBy(d => d.AccountId).Count();
        var expiresAt = now + (long)EnvelopeStore.Retention.TotalMilliseconds;
        var recipients = await writer.WriteAsync(async statements =>
        {
            var payloadId = await statements.InsertPayloadAsync(message.Content, now);
            await GroupStore.RecordMessageAsync(statements.Connection, statements.Transaction, GroupId, message.MessageId, message.SenderAccount, now,
                recipientMembers);
            var inserted = await statements.InsertFanOutAsync(targets.Select(device => new StoredEnvelope(0, device, EnvelopeType.SenderKeyMessage,
                message.SenderAccount, message.SenderDevice, message.MessageId, message.ClientTimestamp, now, message.Content, [],
                expiresAt, GroupId, payloadId)).ToList());
            return (inserted.Count, inserted);
        });
        return new GroupSendOutcome(now, recipients, null, null);
    }

    public async Task<bool> RelayTyping(string senderAccount, int senderDevice, byte[] frame)
    {
        if (_group?.Member(senderAccount) is null)
        {
            return false;
        }
        var sender = new DeviceAddress(senderAccount, senderDevice);
        foreach (var device in await MemberDevicesAsync())
        {
            if (device != sender)
            {
                notifier.NotifyEphemeral(device, frame);
            }
        }
        return true;
    }

    /// <summary>
    /// Persists the group as <paramref name="next"/> and, in the same transaction, queues a
    /// GROUP_EVENT for every device of every member (and of <paramref name="alsoNotify"/>, e.g. the
    /// member just removed, so their client knows).
    /// </summary>
    private async Task<GroupOutcome> CommitAsync(GroupView next, GroupEventKind kind, string actor, IReadOnlyList<string> targets,
        IReadOnlyList<string>? alsoNotify = null)
    {
        var now = Now();
        var groupEvent = new GroupEvent
        {
            GroupId = GroupId,
            Version = (ulong)next.Version,
            Kind = kind,
            ActorAccount = actor,
            TargetAccounts = { targets },
            Group = Snapshot(next),
            Timestamp = now,
        };
        var payload = groupEvent.ToByteArray();
        var devices = await store.GetDevicesAsync(next.Members.Select(m => m.AccountId).Concat(alsoNotify ?? []));
        var expiresAt = now + (long)EnvelopeStore.Retention.TotalMilliseconds;
        await writer.WriteAsync(async statements =>
        {
            await GroupStore.SaveAsync(statements.Connection, statements.Transaction, next, actor, now);
            var payloadId = await statements.InsertPayloadAsync(payload, now);
            var inserted = await statements.InsertFanOutAsync(devices.Select(device => new StoredEnvelope(0, device, EnvelopeType.GroupEvent,
                actor, 0, [], now, now, payload, [], expiresAt, GroupId, payloadId)).ToList());
            return (true, inserted);
        });
        _group = next;
        _memberDevices = null;
        return GroupOutcome.Ok(next);
    }

    private async Task<IReadOnlyList<DeviceAddress>> MemberDevicesAsync()
    {
        var now = clock.GetTimestamp();
        if (_memberDevices is null || clock.GetElapsedTime(_memberDevicesLoadedAt, now) > DeviceListLifetime)
        {
            _memberDevices = await store.GetMemberDevicesAsync(GroupId);
            _memberDevicesLoadedAt = now;
        }
        return _memberDevices;
    }

    public static GroupSnapshot Snapshot(GroupView group) => new()
    {
        Name = group.Name,
        Description = group.Description,
        Picture = group.Picture,
        OnlyAdminsEditInfo = group.OnlyAdminsEditInfo,
        OnlyAdminsSend = group.OnlyAdminsSend,
        Members = { group.Members.Select(m => new GroupMember { AccountId = m.AccountId, Admin = m.Admin, JoinedAt = m.JoinedAt }) },
    };
}
