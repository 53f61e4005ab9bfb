using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Privacy;

namespace Parley.Server.Messages;

/// <summary>
/// Turns acks into "delivered" receipts and read receipts into "read" receipts, queued for every
/// device of the original sender like any envelope, so an offline sender gets its ticks later.
/// </summary>
public sealed class ReceiptSender(DeviceDirectory devices, EnvelopeWriter writer, PrivacyPolicy privacy,
    TimeProvider clock)
{
    /// <summary>Deletes acknowledged envelopes and queues delivery receipts; returns how many were still queued.</summary>
    public async Task<int> AcknowledgeAsync(DeviceAddress device, IReadOnlyList<long> ids)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var outcome = await writer.AckAsync(device, ids, now, async (acked, groupDeliveries) =>
        {
            // Inside the batch: what the delete returned names the senders, so nothing is read up front.
            // Their device lists come from the node cache, which almost always answers without a query.
            var receipts = new List<StoredEnvelope>();
            if (groupDeliveries.Count == 0 && !acked.Any(IsDirectMessage))
            {
                return receipts; // group messages still on their way to other members: nothing to say yet
            }
            foreach (var bySender in acked.Where(IsDirectMessage).GroupBy(a => a.SourceAccount))
            {
                var senderDevices = await devices.GetAsync(bySender.Key, CancellationToken.None);
                receipts.AddRange(ReceiptsFor(device, bySender.Key, senderDevices, EnvelopeType.DeliveryReceipt,
                    bySender.Select(a => a.MessageId), now, null));
            }
            // A group message's sender hears once, when the last member has it (WhatsApp's two grey ticks).
            foreach (var bySender in groupDeliveries.GroupBy(d => (d.Sender, d.GroupId)))
            {
                var senderDevices = await devices.GetAsync(bySender.Key.Sender, CancellationToken.None);
                receipts.AddRange(ReceiptsFor(Server, bySender.Key.Sender, senderDevices, EnvelopeType.GroupDeliveryReceipt,
                    bySender.Select(d => d.MessageId), now, bySender.Key.GroupId));
            }
            return receipts;
        });
        return outcome.Acked.Count;
    }

    private static bool IsDirectMessage(AckedEnvelope acked) => acked.GroupId is null && EnvelopeStore.IsMessageType(acked.Type);

    /// <summary>Queues a read receipt for every device of the sender of the messages.</summary>
    public async Task<ServerFrame> SendReadReceiptAsync(DeviceAddress reader, SendReadReceipt receipt, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(receipt.SenderAccount, out _))
        {
            return Frames.Error(ErrorCode.MalformedFrame, "sender_account must be an account id (UUID).");
        }
        if (receipt.MessageIds.Count is 0 or > MessageLimits.MaxIdsPerFrame
            || receipt.MessageIds.Any(id => id.Length != StoredEnvelope.MessageIdLength))
        {
            return Frames.Error(ErrorCode.MalformedFrame, $"A read receipt needs 1 to {MessageLimits.MaxIdsPerFrame} message ids of 16 bytes.");
        }
        var senderDevices = await devices.GetAsync(receipt.SenderAccount, cancellationToken);
        if (senderDevices.Count == 0)
        {
            return Frames.Error(ErrorCode.UnknownAccount, "No such account.");
        }
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var groupId = string.IsNullOrEmpty(receipt.GroupId) ? null : receipt.GroupId;
        if (groupId is null && !await privacy.ReadReceiptsFlowAsync(reader.AccountId, receipt.SenderAccount, cancellationToken))
        {
            // One side turned read receipts off: neither sees blue ticks in 1:1 chats (groups always send them).
            return new ServerFrame { SendResult = new SendResult { ServerTimestamp = now } };
        }
        var messageIds = receipt.MessageIds.Select(id => id.ToByteArray()).ToList();
        var receipts = ReceiptsFor(reader, receipt.SenderAccount, senderDevices, EnvelopeType.ReadReceipt, messageIds, now, groupId);
        var stored = await writer.WriteAsync(async statements =>
        {
            if (groupId is not null)
            {
                foreach (var messageId in messageIds)
                {
                    await statements.RecordGroupReadAsync(groupId, messageId, reader.AccountId, now);
                }
            }
            var inserted = await statements.InsertAllAsync(receipts);
            return (inserted, inserted);
        });
        return new ServerFrame { SendResult = new SendResult { ServerTimestamp = now, EnvelopeIds = { stored.Select(e => (ulong)e.Id) } } };
    }

    /// <summary>The source of receipts the server makes on behalf of a whole group.</summary>
    private static readonly DeviceAddress Server = new("", 0);

    private static List<StoredEnvelope> ReceiptsFor(DeviceAddress from, string toAccount, IReadOnlyList<DeviceRegistration> toDevices,
        EnvelopeType type, IEnumerable<byte[]> messageIds, long now, string? groupId)
    {
        var ids = messageIds.SelectMany(id => id).ToArray();
        var expiresAt = now + (long)EnvelopeStore.Retention.TotalMilliseconds;
        return toDevices.Select(d => new StoredEnvelope(0, new DeviceAddress(toAccount, d.DeviceId), type, from.AccountId,
            from.DeviceId, [], now, now, [], ids, expiresAt, groupId)).ToList();
    }
}
