using System.Collections.Concurrent;

namespace Parley.Client.Storage;

/// <summary>Groups in memory.</summary>
public sealed partial class InMemoryClientStore
{
    private readonly ConcurrentDictionary<string, LocalGroup> _groups = new();
    private readonly List<GroupMessage> _groupMessages = [];
    private readonly ConcurrentDictionary<(string Group, string Id, string Member), MessageStatus> _groupReceipts = new();
    private readonly List<PendingGroupEnvelope> _pendingGroupEnvelopes = [];

    public Task<LocalGroup?> LoadGroupAsync(string groupId) => Task.FromResult(_groups.GetValueOrDefault(groupId));

    public Task SaveGroupAsync(LocalGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        _groups[group.GroupId] = group;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LocalGroup>> ListGroupsAsync() =>
        Task.FromResult<IReadOnlyList<LocalGroup>>(_groups.Values.OrderBy(g => g.Name, StringComparer.Ordinal).ToList());

    public Task<bool> AddGroupMessageAsync(GroupMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_groupMessages)
        {
            if (FindGroupMessage(message.GroupId, message.SenderAccountId, message.MessageId) >= 0)
            {
                return Task.FromResult(false);
            }
            _groupMessages.Add(message);
            return Task.FromResult(true);
        }
    }

    public Task<bool> HasGroupMessageAsync(string groupId, string senderAccountId, byte[] messageId)
    {
        lock (_groupMessages)
        {
            return Task.FromResult(FindGroupMessage(groupId, senderAccountId, messageId) >= 0);
        }
    }

    public Task<IReadOnlyList<GroupMessage>> GetGroupHistoryAsync(string groupId, int limit = 1000)
    {
        lock (_groupMessages)
        {
            var chat = _groupMessages.Where(m => m.GroupId == groupId).ToList();
            return Task.FromResult<IReadOnlyList<GroupMessage>>(chat.Skip(Math.Max(0, chat.Count - limit)).ToList());
        }
    }

    public Task<bool> RecordGroupReceiptAsync(string groupId, byte[] messageId, string memberAccountId, MessageStatus status)
    {
        var key = (groupId, Convert.ToHexString(messageId), memberAccountId);
        lock (_groupReceipts)
        {
            if (_groupReceipts.TryGetValue(key, out var known) && known >= status)
            {
                return Task.FromResult(false);
            }
            _groupReceipts[key] = status;
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyDictionary<string, MessageStatus>> GetGroupReceiptsAsync(string groupId, byte[] messageId)
    {
        var id = Convert.ToHexString(messageId);
        lock (_groupReceipts)
        {
            return Task.FromResult<IReadOnlyDictionary<string, MessageStatus>>(_groupReceipts
                .Where(r => r.Key.Group == groupId && r.Key.Id == id).ToDictionary(r => r.Key.Member, r => r.Value));
        }
    }

    public Task<GroupMessage?> AdvanceGroupMessageStatusAsync(string groupId, byte[] messageId, MessageStatus status)
    {
        lock (_groupMessages)
        {
            var index = _groupMessages.FindIndex(m => m.GroupId == groupId && m.Direction == MessageDirection.Outgoing
                && m.MessageId.AsSpan().SequenceEqual(messageId));
            if (index < 0 || _groupMessages[index].Status >= status)
            {
                return Task.FromResult<GroupMessage?>(null);
            }
            _groupMessages[index] = _groupMessages[index] with { Status = status };
            return Task.FromResult<GroupMessage?>(_groupMessages[index]);
        }
    }

    public Task AddPendingGroupEnvelopeAsync(PendingGroupEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        lock (_pendingGroupEnvelopes)
        {
            if (!_pendingGroupEnvelopes.Any(p => p.SenderAccountId == envelope.SenderAccountId && p.SenderDevice == envelope.SenderDevice
                    && p.MessageId.AsSpan().SequenceEqual(envelope.MessageId)))
            {
                _pendingGroupEnvelopes.Add(envelope);
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PendingGroupEnvelope>> TakePendingGroupEnvelopesAsync(string senderAccountId, uint senderDevice)
    {
        lock (_pendingGroupEnvelopes)
        {
            var taken = _pendingGroupEnvelopes.Where(p => p.SenderAccountId == senderAccountId && p.SenderDevice == senderDevice).ToList();
            _pendingGroupEnvelopes.RemoveAll(taken.Contains);
            return Task.FromResult<IReadOnlyList<PendingGroupEnvelope>>(taken);
        }
    }

    private int FindGroupMessage(string groupId, string senderAccountId, byte[] messageId) =>
        _groupMessages.FindIndex(m => m.GroupId == groupId && m.SenderAccountId == senderAccountId && m.MessageId.AsSpan().SequenceEqual(messageId));
}
