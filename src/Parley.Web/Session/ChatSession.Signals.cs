using Parley.Client.Messaging;
using Parley.Client.Transport;
using Parley.Protocol.Wire;

namespace Parley.Web.Session;

/// <summary>Presence (online / last seen) of the open chat's peer and typing indicators: ephemeral, never stored.</summary>
public sealed partial class ChatSession
{
    private static readonly TimeSpan TypingRefresh = TimeSpan.FromSeconds(3);
    private readonly Dictionary<string, PresenceInfo> _presence = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _typing = new(StringComparer.Ordinal);
    private string? _watchedNumber;
    private DateTimeOffset _lastTypingSent;

    /// <summary>Online state of an account we watch; null while unknown.</summary>
    public PresenceInfo? PresenceOf(string accountId) => _presence.GetValueOrDefault(accountId);

    /// <summary>Who is typing in this chat right now (an account id), or null.</summary>
    public string? TypingIn(ChatRef chat, string? peerAccountId)
    {
        var key = chat.IsGroup ? "group:" + chat.GroupId : peerAccountId;
        return key is not null && _typing.TryGetValue(key, out var from) ? from : null;
    }

    /// <summary>Watches one contact's presence (the peer of the open chat); null watches nobody (typing still arrives).</summary>
    public async Task WatchPresenceAsync(string? number)
    {
        if (_watchedNumber == number)
        {
            return;
        }
        _watchedNumber = number;
        await ResubscribePresenceAsync();
    }

    private async Task ResubscribePresenceAsync()
    {
        if (Client is not { ConnectionState: ConnectionState.Connected } client)
        {
            return;
        }
        try
        {
            foreach (var presence in await client.WatchPresenceAsync(_watchedNumber is null ? [] : [_watchedNumber]))
            {
                _presence[presence.AccountId] = presence;
            }
            Notify();
        }
        catch (Exception error) when (error is InvalidOperationException or OperationCanceledException or System.Net.WebSockets.WebSocketException
            or SendRejectedException or HttpRequestException or UnknownNumberException)
        {
            // Reconnecting (the SDK watches again once connected), or not a Parley user.
        }
    }

    /// <summary>Tells the peer (or group) that the user is typing, at most every few seconds.</summary>
    public async Task SendTypingAsync(ChatRef chat)
    {
        if (DateTimeOffset.UtcNow - _lastTypingSent < TypingRefresh || Client is not { ConnectionState: ConnectionState.Connected } client)
        {
            return;
        }
        _lastTypingSent = DateTimeOffset.UtcNow;
        try
        {
            if (chat.IsGroup)
            {
                await client.SendGroupTypingAsync(chat.GroupId!, TypingState.Typing);
            }
            else if (await Store.FindContactByNumberAsync(chat.Number!) is not null)
            {
                await client.SendTypingAsync(chat.Number!, TypingState.Typing);
            }
        }
        catch (Exception error) when (error is InvalidOperationException or OperationCanceledException or System.Net.WebSockets.WebSocketException
            or SendRejectedException or HttpRequestException)
        {
            // Typing is best effort.
        }
    }

    private void OnPresence(PresenceInfo presence)
    {
        _presence[presence.AccountId] = presence;
        Notify();
    }

    private void OnTyping(TypingInfo typing)
    {
        var key = typing.GroupId is null ? typing.AccountId : "group:" + typing.GroupId;
        if (typing.State == TypingState.Stopped)
        {
            StopTyping(key, typing.AccountId);
            return;
        }
        _typing[key] = typing.AccountId;
        Notify();
    }

    /// <summary>A message from someone ends their "typing…" at once (the indicator's expiry would lag behind it).</summary>
    private void StopTyping(string key, string fromAccount)
    {
        if (_typing.TryGetValue(key, out var from) && from == fromAccount)
        {
            _typing.Remove(key);
        }
        Notify();
    }
}
