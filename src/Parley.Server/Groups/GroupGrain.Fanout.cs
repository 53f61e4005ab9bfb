using Google.Protobuf;
using Parley.Protocol.Groups;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Messages;

namespace Parley.Server.Groups;

/// <summary>
/// Fan-out: a group message is one row of the group log (<see cref="GroupLog"/>), pushed to every member
/// device; a group event is stored once and referenced by an envelope per device.
/// </summary>
public sealed partial class GroupGrain
{
    public async Task<GroupSendOutcome[]> Send(GroupMessage[] messages)
    {
        var now = Now();
        var outcomes = new GroupSendOutcome[messages.Length];
        var accepted = new List<int>(messages.Length);
        for (var i = 0; i < messages.Length; i++)
        {
            if (Refusal(messages[i], now) is { } refused)
            {
                outcomes[i] = refused;
            }
            else
            {
                accepted.Add(i);
            }
        }
        if (accepted.Count == 0)
        {
            return outcomes;
        }
        var devices = await MemberDevicesAsync();
        var withoutCursor = devices.Where(d => !_cursorDevices!.Contains(d)).ToList();
        var membersWithDevices = devices.Select(d => d.AccountId).Distinct().Count();
        var expiresAt = now + (long)EnvelopeStore.Retention.TotalMilliseconds;
        // One transaction for the batch, messages in the order they came: each message is one row of
        // the group log, and each member device is pushed the batch's messages together, in that
        // order, once they are durable.
        var recipients = await writer.WriteAsync(async statements =>
        {
            var counts = new int[messages.Length];
            var pushed = new List<StoredEnvelope>(accepted.Count * devices.Count);
            foreach (var i in accepted)
            {
                var message = messages[i];
                var sender = new DeviceAddress(message.SenderAccount, message.SenderDevice);
                var recipientMembers = membersWithDevices - (devices.Any(d => d.AccountId == sender.AccountId) ? 1 : 0);
                await GroupStore.RecordMessageAsync(statements.Connection, statements.Transaction, GroupId, message.MessageId,
                    message.SenderAccount, now, recipientMembers);
                var row = new StoredEnvelope(0, GroupLog.Address(GroupId), EnvelopeType.SenderKeyMessage, message.SenderAccount,
                    message.SenderDevice, message.MessageId, message.ClientTimestamp, now, message.Content, [], expiresAt, GroupId);
                var id = await statements.InsertAsync(row);
                if (withoutCursor.Count > 0 && i == accepted[0])
                {
                    // New member devices (or a first send since the log began) read the log from this message on.
                    await GroupLog.OpenCursorsAsync(statements.Connection, statements.Transaction, GroupId, withoutCursor, id - 1);
                }
                // The sending device has its own message: its cursor moves on, so that it does not keep the row in the log.
                await statements.MoveCursorAsync(sender, GroupId, id);
                foreach (var device in devices)
                {
                    if (device != sender)
                    {
                        pushed.Add(row with { Id = id, Destination = device });
                        counts[i]++;
                    }
                }
            }
            return (counts, (IReadOnlyList<StoredEnvelope>)pushed);
        });
        _cursorDevices!.UnionWith(withoutCursor);
        foreach (var i in accepted)
        {
            outcomes[i] = new GroupSendOutcome(now, recipients[i], null, null);
        }
        return outcomes;
    }

    /// <summary>Why <paramref name="message"/> may not be sent to this group, or null when it may.</summary>
    private GroupSendOutcome? Refusal(GroupMessage message, long now)
    {
        if (_group?.Member(message.SenderAccount) is null)
        {
            return new GroupSendOutcome(now, 0, ErrorCode.NotAMember, "No such group, or you are not a member of it.");
        }
        if (_group.OnlyAdminsSend && !_group.IsAdmin(message.SenderAccount))
        {
            return new GroupSendOutcome(now, 0, ErrorCode.Forbidden, "Only admins can send messages to this group.");
        }
        return null;
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
            var pushed = new List<StoredEnvelope>();
            if (kind is GroupEventKind.MemberLeft or GroupEventKind.MemberRemoved)
            {
                foreach (var leaving in targets)
                {
                    pushed.AddRange(await GroupLog.HandOverOwedRowsAsync(statements.Connection, statements.Transaction, GroupId, leaving));
                }
            }
            var payloadId = await statements.InsertPayloadAsync(payload, now);
            var inserted = await statements.InsertFanOutAsync(devices.Select(device => new StoredEnvelope(0, device, EnvelopeType.GroupEvent,
                actor, 0, [], now, now, payload, [], expiresAt, GroupId, payloadId)).ToList());
            pushed.AddRange(inserted);
            return (true, (IReadOnlyList<StoredEnvelope>)pushed);
        });
        _group = next;
        _memberDevices = null;
        _cursorDevices = null;
        return GroupOutcome.Ok(next);
    }

    private async Task<IReadOnlyList<DeviceAddress>> MemberDevicesAsync()
    {
        var now = clock.GetTimestamp();
        if (_memberDevices is null || _cursorDevices is null || clock.GetElapsedTime(_memberDevicesLoadedAt, now) > DeviceListLifetime)
        {
            _memberDevices = await store.GetMemberDevicesAsync(GroupId);
            _cursorDevices = await store.GetCursorDevicesAsync(GroupId);
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
