using Parley.Client.Storage;

namespace Parley.Web.Storage;

/// <summary>
/// What only the web client keeps (not part of the SDK's store seam): messages deleted for me, when
/// each chat was last read, messages queued while offline and group timeline events.
/// </summary>
public sealed partial class IndexedDbClientStore
{
    private readonly HashSet<string> _hidden = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _readUpTo = new(StringComparer.Ordinal);
    private readonly List<QueuedMessage> _outbox = [];
    private readonly List<GroupEventLine> _groupEvents = [];

    public bool IsHidden(string chat, byte[] messageId) => _hidden.Contains(HiddenKey(chat, messageId));

    /// <summary>"Delete for me": the message disappears from this browser only.</summary>
    public async Task HideMessageAsync(string chat, byte[] messageId)
    {
        var key = HiddenKey(chat, messageId);
        _hidden.Add(key);
        await PutAsync(key, 1L);
    }

    public long ReadUpTo(string chat) => _readUpTo.GetValueOrDefault(chat);

    public async Task MarkChatReadAsync(string chat, long timestamp)
    {
        if (timestamp <= ReadUpTo(chat))
        {
            return;
        }
        _readUpTo[chat] = timestamp;
        await PutAsync($"read|{chat}", timestamp);
    }

    public IReadOnlyList<QueuedMessage> Outbox => [.. _outbox];

    public async Task QueueAsync(QueuedMessage message)
    {
        _outbox.Add(message);
        await PutAsync($"outbox|{message.Id}", message);
    }

    public async Task DequeueAsync(QueuedMessage message)
    {
        _outbox.RemoveAll(m => m.Id == message.Id);
        await DeleteAsync($"outbox|{message.Id}");
    }

    public IReadOnlyList<GroupEventLine> GroupEvents(string groupId) => [.. _groupEvents.Where(e => e.GroupId == groupId)];

    public async Task AddGroupEventAsync(GroupEventLine line)
    {
        _groupEvents.Add(line);
        await PutAsync($"event|{line.GroupId}|{line.Timestamp:D15}|{Guid.NewGuid():N}", line);
    }

    private static string HiddenKey(string chat, byte[] messageId) => $"hidden|{chat}|{Convert.ToHexString(messageId)}";

    private void ClearWebState()
    {
        _keys.Clear();
        _hidden.Clear();
        _readUpTo.Clear();
        _outbox.Clear();
        _groupEvents.Clear();
    }
}
