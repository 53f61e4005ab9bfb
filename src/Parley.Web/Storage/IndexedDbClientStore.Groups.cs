using Parley.Client.Storage;

namespace Parley.Web.Storage;

public sealed partial class IndexedDbClientStore
{
    public Task<LocalGroup?> LoadGroupAsync(string groupId) => _memory.LoadGroupAsync(groupId);

    public async Task SaveGroupAsync(LocalGroup group)
    {
        await _memory.SaveGroupAsync(group);
        await PutAsync($"group|{group.GroupId}", group);
    }

    public Task<IReadOnlyList<LocalGroup>> ListGroupsAsync() => _memory.ListGroupsAsync();

    public async Task<bool> AddGroupMessageAsync(GroupMessage message)
    {
        var added = await _memory.AddGroupMessageAsync(message);
        if (added)
        {
            await PutAsync(GroupMessageKey(message), message);
        }
        return added;
    }

    public Task<bool> HasGroupMessageAsync(string groupId, string senderAccountId, byte[] messageId) =>
        _memory.HasGroupMessageAsync(groupId, senderAccountId, messageId);

    public Task<IReadOnlyList<GroupMessage>> GetGroupHistoryAsync(string groupId, int limit = 1000) => _memory.GetGroupHistoryAsync(groupId, limit);

    public async Task<bool> RecordGroupReceiptAsync(string groupId, byte[] messageId, string memberAccountId, MessageStatus status)
    {
        var changed = await _memory.RecordGroupReceiptAsync(groupId, messageId, memberAccountId, status);
        if (changed)
        {
            var states = await _memory.GetGroupReceiptsAsync(groupId, messageId);
            await PutAsync($"receipt|{groupId}|{Convert.ToHexString(messageId)}", new ReceiptsEntry(groupId, messageId, states.ToDictionary()));
        }
        return changed;
    }

    public Task<IReadOnlyDictionary<string, MessageStatus>> GetGroupReceiptsAsync(string groupId, byte[] messageId) =>
        _memory.GetGroupReceiptsAsync(groupId, messageId);

    public async Task<GroupMessage?> AdvanceGroupMessageStatusAsync(string groupId, byte[] messageId, MessageStatus status)
    {
        var changed = await _memory.AdvanceGroupMessageStatusAsync(groupId, messageId, status);
        if (changed is not null)
        {
            await PutAsync(GroupMessageKey(changed), changed);
        }
        return changed;
    }

    public async Task AddPendingGroupEnvelopeAsync(PendingGroupEnvelope envelope)
    {
        await _memory.AddPendingGroupEnvelopeAsync(envelope);
        await PutAsync(PendingKey(envelope), envelope);
    }

    public async Task<IReadOnlyList<PendingGroupEnvelope>> TakePendingGroupEnvelopesAsync(string senderAccountId, uint senderDevice)
    {
        var taken = await _memory.TakePendingGroupEnvelopesAsync(senderAccountId, senderDevice);
        var batch = new Batch();
        foreach (var envelope in taken)
        {
            batch.Delete(PendingKey(envelope));
        }
        await WriteAsync(batch);
        return taken;
    }

    private static string GroupMessageKey(GroupMessage m) => $"gmsg|{m.GroupId}|{m.SenderAccountId}|{Convert.ToHexString(m.MessageId)}";

    private static string PendingKey(PendingGroupEnvelope e) => $"pending|{e.SenderAccountId}|{e.SenderDevice}|{Convert.ToHexString(e.MessageId)}";
}
