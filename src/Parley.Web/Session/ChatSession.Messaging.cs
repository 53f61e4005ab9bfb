using System.Net.WebSockets;
using Microsoft.JSInterop;
using Parley.Client.Api;
using Parley.Client.Messaging;
using Parley.Client.Storage;
using Parley.Client.Transport;
using Parley.Web.Storage;

namespace Parley.Web.Session;

/// <summary>One line of a chat's timeline: a message (ours, theirs, or still queued) or a group event.</summary>
public sealed record TimelineItem(long Timestamp, string Text, MessageDirection Direction, MessageStatus Status, byte[]? MessageId,
    string? SenderNumber, bool IsEvent = false, bool IsQueued = false, Parley.Client.Media.MediaAttachment? Attachment = null,
    MessageQuote? Quote = null);

/// <summary>One line of the chat list.</summary>
public sealed record ChatListItem(ChatRef Chat, string Title, string Preview, long LastAt, int Unread, MessageStatus? LastStatus, bool LastOutgoing);

public sealed partial class ChatSession
{
    private bool _sendingQueued;

    /// <summary>
    /// Sends a text now when online; otherwise (or when the connection drops while sending) keeps it
    /// in the IndexedDB outbox and sends it once the connection is back.
    /// </summary>
    /// <exception cref="UnknownNumberException">Nobody has this number.</exception>
    /// <exception cref="ParleyApiException">The server refused (e.g. not a member any more).</exception>
    /// <exception cref="ArgumentException"><paramref name="replyTo"/> is no longer in the chat's history.</exception>
    public async Task SendAsync(ChatRef chat, string text, byte[]? replyTo = null)
    {
        var queued = new QueuedMessage(Guid.NewGuid().ToString("N"), chat.Key, text, Now, replyTo);
        if (Connection != ConnectionState.Connected || !await TrySendAsync(queued))
        {
            await Store.QueueAsync(queued);
        }
        Notify();
    }

    private async Task<bool> TrySendAsync(QueuedMessage message)
    {
        var client = Client ?? throw new InvalidOperationException("Not signed in.");
        var chat = ChatRef.FromKey(message.Chat);
        var started = Now;
        var timing = StartTiming();
        try
        {
            if (chat.IsGroup)
            {
                await client.SendGroupTextAsync(chat.GroupId!, message.Text, message.ReplyTo);
            }
            else
            {
                await client.SendTextAsync(chat.Number!, message.Text, message.ReplyTo);
            }
            LastSendDuration = timing.Elapsed;
            // Exposed as window.parleyMetrics for the measurement in the README (durations, nothing secret).
            await js.InvokeVoidAsync("parleyUi.recordSend", timing.Elapsed.TotalMilliseconds, client.LastAcknowledgementWait.TotalMilliseconds);
            return true;
        }
        catch (Exception error) when (error is HttpRequestException or WebSocketException or OperationCanceledException
            || error is SendFailedException { InnerException: HttpRequestException or WebSocketException or OperationCanceledException })
        {
            await HideUnsentCopiesAsync(chat, message.Text, started);
            return false;
        }
    }

    /// <summary>A send that failed half-way left a pending copy in the history; the outbox entry replaces it.</summary>
    private async Task HideUnsentCopiesAsync(ChatRef chat, string text, long since)
    {
        foreach (var item in await TimelineAsync(chat))
        {
            if (item is { IsQueued: false, Direction: MessageDirection.Outgoing, Status: MessageStatus.Pending, MessageId: { } id }
                && item.Text == text && item.Timestamp >= since)
            {
                await Store.HideMessageAsync(chat.Key, id);
            }
        }
    }

    private async Task SendQueuedAsync()
    {
        if (_sendingQueued)
        {
            return;
        }
        _sendingQueued = true;
        try
        {
            foreach (var message in Store.Outbox)
            {
                if (Connection != ConnectionState.Connected || !await TrySendAsync(message))
                {
                    break;
                }
                await Store.DequeueAsync(message);
                Notify();
            }
        }
        catch (Exception error) when (error is ParleyApiException or UnknownNumberException or NotAGroupMemberException or GroupNotFoundException
            or ArgumentException)
        {
            // Undeliverable for good (e.g. removed from the group meanwhile): it stays visible as not sent.
        }
        finally
        {
            _sendingQueued = false;
        }
    }

    /// <summary>The chat's messages and events, oldest first, without those deleted for me.</summary>
    public async Task<IReadOnlyList<TimelineItem>> TimelineAsync(ChatRef chat)
    {
        var client = Client!;
        var items = new List<TimelineItem>();
        if (chat.IsGroup)
        {
            items.AddRange((await client.GetGroupHistoryAsync(chat.GroupId!))
                .Where(m => !Store.IsHidden(chat.Key, m.MessageId))
                .Select(m => new TimelineItem(m.Timestamp, m.Text, m.Direction, m.Status, m.MessageId, m.SenderNumber, Attachment: m.Attachment, Quote: m.Quote)));
            items.AddRange(Store.GroupEvents(chat.GroupId!).Select(e => new TimelineItem(e.Timestamp, e.Text, MessageDirection.Incoming, MessageStatus.Received, null, null, IsEvent: true)));
        }
        else
        {
            items.AddRange((await client.GetHistoryAsync(chat.Number!))
                .Where(m => !Store.IsHidden(chat.Key, m.MessageId))
                .Select(m => new TimelineItem(m.Timestamp, m.Text, m.Direction, m.Status, m.MessageId, m.PeerNumber, Attachment: m.Attachment, Quote: m.Quote)));
        }
        items.AddRange(await CallTimelineAsync(chat));
        items.AddRange(Store.Outbox.Where(q => q.Chat == chat.Key)
            .Select(q => new TimelineItem(q.CreatedAt, q.Text, MessageDirection.Outgoing, MessageStatus.Pending, null, null, IsQueued: true)));
        return [.. items.OrderBy(i => i.Timestamp)];
    }

    /// <summary>Chats and groups, most recent activity first, with unread counts.</summary>
    public async Task<IReadOnlyList<ChatListItem>> ChatListAsync()
    {
        var client = Client!;
        var list = new List<ChatListItem>();
        foreach (var summary in await client.ListChatsAsync())
        {
            var chat = ChatRef.Direct(summary.Contact.Number);
            list.Add(ListItem(chat, summary.Contact.Number, await TimelineAsync(chat)));
        }
        foreach (var group in await client.ListGroupsAsync())
        {
            var chat = ChatRef.Group(group.GroupId);
            list.Add(ListItem(chat, group.Name, await TimelineAsync(chat)));
        }
        foreach (var orphan in Store.Outbox.Select(q => q.Chat).Distinct().Where(key => list.All(i => i.Chat.Key != key)))
        {
            var chat = ChatRef.FromKey(orphan);
            list.Add(ListItem(chat, chat.Number ?? "Group", await TimelineAsync(chat)));
        }
        return [.. list.OrderByDescending(i => i.LastAt)];
    }

    private ChatListItem ListItem(ChatRef chat, string title, IReadOnlyList<TimelineItem> timeline)
    {
        var last = timeline.LastOrDefault();
        var readUpTo = Store.ReadUpTo(chat.Key);
        var unread = timeline.Count(i => !i.IsEvent && i.Direction == MessageDirection.Incoming && i.Timestamp > readUpTo);
        var preview = last is null ? "" : last.IsEvent || !chat.IsGroup || last.Direction == MessageDirection.Outgoing ? PreviewText(last) : $"{last.SenderNumber}: {PreviewText(last)}";
        return new ChatListItem(chat, title, preview, last?.Timestamp ?? 0, unread,
            last is { IsEvent: false, Direction: MessageDirection.Outgoing } ? last.Status : null, last?.Direction == MessageDirection.Outgoing);
    }

    /// <summary>The user sees the chat: read receipts for what is new (blue ticks on the sender's side), unread count to zero.</summary>
    public async Task MarkReadAsync(ChatRef chat, IReadOnlyList<TimelineItem> timeline)
    {
        var readUpTo = Store.ReadUpTo(chat.Key);
        var unread = timeline.Where(i => !i.IsEvent && i.Direction == MessageDirection.Incoming && i.Timestamp > readUpTo && i.MessageId is not null).ToList();
        if (unread.Count == 0 || Connection != ConnectionState.Connected)
        {
            return;
        }
        try
        {
            if (chat.IsGroup)
            {
                var ids = unread.Select(i => Convert.ToHexString(i.MessageId!)).ToHashSet();
                var messages = (await Client!.GetGroupHistoryAsync(chat.GroupId!)).Where(m => ids.Contains(Convert.ToHexString(m.MessageId)));
                await Client.MarkGroupReadAsync(chat.GroupId!, messages);
            }
            else
            {
                await Client!.MarkReadAsync(chat.Number!, unread.Select(i => i.MessageId!));
            }
            await Store.MarkChatReadAsync(chat.Key, unread.Max(i => i.Timestamp));
            Notify();
        }
        catch (Exception error) when (error is HttpRequestException or WebSocketException or OperationCanceledException or InvalidOperationException)
        {
            // Not connected after all: the next render tries again.
        }
    }

    public async Task DeleteForMeAsync(ChatRef chat, byte[] messageId)
    {
        await Store.HideMessageAsync(chat.Key, messageId);
        Notify();
    }
}
