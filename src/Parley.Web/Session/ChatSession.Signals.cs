using Parley.Client.Transport;
using Parley.Protocol.Wire;

namespace Parley.Web.Session;

/// <summary>Presence (online / last seen) of the open chat's peer and typing indicators: ephemeral, never stored.</summary>
public sealed partial class ChatSession
{
    private static readonly TimeSpan TypingRefresh = TimeSpan.FromSeconds(3);
    private readonly Dictionary<string, PresenceUpdate> _presence = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string FromAccount, DateTimeOffset Until)> _typing = new(StringComparer.Ordinal);
    private string? _watchedAccount;
    private DateTimeOffset _lastTypingSent;

    /// <summary>Online state of an account we watch; null while unknown.</summary>
    public PresenceUpdate? PresenceOf(string accountId) => _presence.GetValueOrDefault(accountId);

    /// <summary>Who is typing in this chat right now (an account id), or null.</summary>
    public string? TypingIn(ChatRef chat, string? peerAccountId)
    {
        var key = chat.IsGroup ? "group:" + chat.GroupId : peerAccountId;
        return key is not null && _typing.TryGetValue(key, out var typing) && typing.Until > DateTimeOffset.UtcNow ? typing.FromAccount : null;
    }

    /// <summary>Watches one account's presence (the peer of the open chat); null stops watching.</summary>
    public async Task WatchPresenceAsync(string? accountId)
    {
        if (_watchedAccount == accountId)
        {
            return;
        }
        _watchedAccount = accountId;
        await ResubscribePresenceAsync();
    }

    private async Task ResubscribePresenceAsync()
    {
        if (Client?.Transport is not { State: ConnectionState.Connected } transport)
        {
            return;
        }
        try
        {
            var snapshot = await transport.SubscribePresenceAsync(_watchedAccount is null ? [] : [_watchedAccount]);
            foreach (var update in snapshot)
            {
                _presence[update.AccountId] = update;
            }
            Notify();
        }
        catch (Exception error) when (error is InvalidOperationException or OperationCanceledException or System.Net.WebSockets.WebSocketException or SendRejectedException)
        {
            // Reconnecting; OnConnectionStateAsync subscribes again.
        }
    }

    /// <summary>Tells the peer (or group) that the user is typing, at most every few seconds.</summary>
    public async Task SendTypingAsync(ChatRef chat, string? peerAccountId)
    {
        if (DateTimeOffset.UtcNow - _lastTypingSent < TypingRefresh || Client?.Transport is not { State: ConnectionState.Connected } transport
            || (!chat.IsGroup && peerAccountId is null))
        {
            return;
        }
        _lastTypingSent = DateTimeOffset.UtcNow;
        try
        {
            await transport.SendTypingAsync(TypingState.Typing, chat.IsGroup ? null : peerAccountId, chat.GroupId);
        }
        catch (Exception error) when (error is InvalidOperationException or OperationCanceledException or System.Net.WebSockets.WebSocketException or SendRejectedException)
        {
            // Typing is best effort.
        }
    }

    /// <summary>A message from someone ends their "typing…" at once (the indicator's expiry would lag behind it).</summary>
    private void StopTyping(string key, string fromAccount)
    {
        if (_typing.TryGetValue(key, out var typing) && typing.FromAccount == fromAccount)
        {
            _typing.Remove(key);
        }
        Notify();
    }

    private async Task ReadSignalsAsync(ParleyConnection transport, CancellationToken stopping)
    {
        try
        {
            await foreach (var frame in transport.Signals.ReadAllAsync(stopping))
            {
                if (frame.BodyCase == ServerFrame.BodyOneofCase.Presence)
                {
                    _presence[frame.Presence.AccountId] = frame.Presence;
                }
                else if (frame.BodyCase == ServerFrame.BodyOneofCase.Typing)
                {
                    var typing = frame.Typing;
                    var key = typing.GroupId.Length > 0 ? "group:" + typing.GroupId : typing.FromAccount;
                    if (typing.State == TypingState.Stopped)
                    {
                        _typing.Remove(key);
                    }
                    else
                    {
                        var expires = TimeSpan.FromMilliseconds(typing.ExpiresInMs == 0 ? 5000 : typing.ExpiresInMs);
                        _typing[key] = (typing.FromAccount, DateTimeOffset.UtcNow + expires);
                        _ = RefreshAfterAsync(expires, stopping);
                    }
                }
                Notify();
            }
        }
        catch (OperationCanceledException)
        {
            // Signed out or closed.
        }
    }

    private async Task RefreshAfterAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay + TimeSpan.FromMilliseconds(100), stopping);
            Notify();
        }
        catch (OperationCanceledException)
        {
            // Signed out meanwhile.
        }
    }
}
