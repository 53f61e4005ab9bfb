using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Messages;

namespace Parley.Server.Groups;

/// <summary>
/// The WebSocket side of group messages: checks the frame, then lets the group's grain fan it out.
/// This node hands a group's sends to its grain one batch at a time: a lone send goes at once, and
/// sends that arrive while a batch is being stored wait and go together as the next one. A busy group
/// then costs one grain call and one commit per batch, and its members receive the batch's messages
/// in one socket write and ack them in one frame, instead of one of each per message.
/// </summary>
public sealed class GroupMessageSender(IGrainFactory grains)
{
    /// <summary>
    /// Most messages per batch: 32 messages to a 1,024-member group is ~33,000 rows, still one
    /// commit of tens of milliseconds.
    /// </summary>
    public const int MaxBatch = 32;

    /// <summary>Sends waiting per group; a group is here only while its batches are being sent.</summary>
    private readonly Dictionary<string, Queue<WaitingSend>> _outboxes = [];

    public async Task<ServerFrame> SendAsync(DeviceAddress sender, SendGroupMessage message)
    {
        if (!Guid.TryParse(message.GroupId, out _))
        {
            return Frames.Error(ErrorCode.MalformedFrame, "group_id must be a group id (UUID).");
        }
        if (message.MessageId.Length != StoredEnvelope.MessageIdLength)
        {
            return Frames.Error(ErrorCode.MalformedFrame, "message_id must be 16 bytes.");
        }
        if (message.Content.IsEmpty)
        {
            return Frames.Error(ErrorCode.MalformedFrame, "A group message must not be empty.");
        }
        if (message.Content.Length > MessageLimits.MaxCiphertextBytes)
        {
            return Frames.Error(ErrorCode.TooLarge, $"A ciphertext may be at most {MessageLimits.MaxCiphertextBytes} bytes.");
        }
        var outcome = await EnqueueAsync(message.GroupId, new GroupMessage(sender.AccountId, sender.DeviceId,
            message.MessageId.ToByteArray(), message.ClientTimestamp, message.Content.ToByteArray()));
        return outcome.Error is { } error
            ? Frames.Error(error, outcome.ErrorMessage ?? "Refused.")
            : new ServerFrame { SendResult = new SendResult { ServerTimestamp = outcome.ServerTimestamp, RecipientDevices = (uint)outcome.RecipientDevices } };
    }

    private Task<GroupSendOutcome> EnqueueAsync(string groupId, GroupMessage message)
    {
        var waiting = new WaitingSend(message);
        var start = false;
        lock (_outboxes)
        {
            if (!_outboxes.TryGetValue(groupId, out var outbox))
            {
                _outboxes[groupId] = outbox = new Queue<WaitingSend>();
                start = true; // no batch loop runs for this group: start one
            }
            outbox.Enqueue(waiting);
        }
        if (start)
        {
            _ = SendBatchesAsync(groupId);
        }
        return waiting.Outcome.Task;
    }

    /// <summary>Sends the group's waiting messages in batches until none are left.</summary>
    private async Task SendBatchesAsync(string groupId)
    {
        var grain = grains.GetGrain<IGroupGrain>(groupId);
        while (NextBatch(groupId) is { } batch)
        {
            try
            {
                var outcomes = await grain.Send([.. batch.Select(w => w.Message)]);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Outcome.TrySetResult(outcomes[i]);
                }
            }
            catch (Exception error)
            {
                foreach (var waiting in batch)
                {
                    waiting.Outcome.TrySetException(error);
                }
            }
        }
    }

    private List<WaitingSend>? NextBatch(string groupId)
    {
        lock (_outboxes)
        {
            var outbox = _outboxes[groupId];
            if (outbox.Count == 0)
            {
                _outboxes.Remove(groupId);
                return null;
            }
            var batch = new List<WaitingSend>(Math.Min(outbox.Count, MaxBatch));
            while (batch.Count < MaxBatch && outbox.TryDequeue(out var waiting))
            {
                batch.Add(waiting);
            }
            return batch;
        }
    }

    private sealed class WaitingSend(GroupMessage message)
    {
        public GroupMessage Message { get; } = message;

        public TaskCompletionSource<GroupSendOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
