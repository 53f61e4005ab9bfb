using Parley.Client.Transport;
using Parley.Protocol.Wire;

namespace Parley.Client.Messaging;

/// <summary>Online / last seen of a contact; <see cref="LastSeen"/> is null when unknown or hidden by their privacy settings.</summary>
public sealed record PresenceInfo(string Number, string AccountId, bool Online, DateTimeOffset? LastSeen);

/// <summary>A contact (in a 1:1 chat, or a member in a group) is typing or recording, or stopped.</summary>
public sealed record TypingInfo(string AccountId, string? Number, string? GroupId, TypingState State, TimeSpan ExpiresIn);

/// <summary>A watched contact changed their profile; fetch it again with <see cref="ParleyClient.GetProfileAsync"/>.</summary>
public sealed record ProfileChangedInfo(string AccountId, string? Number, long Version);

/// <summary>Presence, typing and profile-change events: ephemeral signals, never stored or queued.</summary>
public sealed partial class ParleyClient
{
    private readonly HashSet<string> _watchedAccounts = [];
    private readonly Dictionary<(string Account, string? Group), CancellationTokenSource> _typingExpiries = [];
    private Task? _signalLoop;

    public event Action<PresenceInfo>? PresenceChanged;

    /// <summary>
    /// Someone started or stopped typing/recording. An indicator not refreshed within its lifetime
    /// (the sender's app died, or its network did) ends with a <see cref="TypingState.Stopped"/> event here.
    /// </summary>
    public event Action<TypingInfo>? TypingChanged;

    public event Action<ProfileChangedInfo>? ProfileChanged;

    /// <summary>
    /// Watches these contacts' presence (typically the open chat, or the visible part of the chat
    /// list) instead of any watched before; answers their current state and raises
    /// <see cref="PresenceChanged"/> and <see cref="ProfileChanged"/> from then on, across reconnects.
    /// </summary>
    public async Task<IReadOnlyList<PresenceInfo>> WatchPresenceAsync(IEnumerable<string> numbers, CancellationToken cancellationToken = default)
    {
        var contacts = new List<Storage.Contact>();
        foreach (var number in numbers.Distinct())
        {
            contacts.Add(await ResolveAsync(number, cancellationToken));
        }
        lock (_watchedAccounts)
        {
            _watchedAccounts.Clear();
            _watchedAccounts.UnionWith(contacts.Select(c => c.AccountId));
        }
        StartSignalLoop();
        var updates = await Connection.SubscribePresenceAsync(contacts.Select(c => c.AccountId), cancellationToken);
        return [.. updates.Select(u => ToPresence(u, contacts.First(c => c.AccountId == u.AccountId).Number))];
    }

    /// <summary>Shows "typing…" (or recording, or stops it) in the chat with <paramref name="number"/>; the server throttles repeats.</summary>
    public async Task SendTypingAsync(string number, TypingState state, CancellationToken cancellationToken = default)
    {
        var contact = await ResolveAsync(number, cancellationToken);
        await Connection.SendTypingAsync(state, recipientAccount: contact.AccountId, cancellationToken: cancellationToken);
    }

    public Task SendGroupTypingAsync(string groupId, TypingState state, CancellationToken cancellationToken = default) =>
        Connection.SendTypingAsync(state, groupId: groupId, cancellationToken: cancellationToken);

    private void StartSignalLoop()
    {
        if (_signalLoop is not null)
        {
            return;
        }
        var connection = Connection;
        connection.StateChanged += state =>
        {
            if (state == ConnectionState.Connected)
            {
                _ = ResubscribeAsync(connection);
            }
        };
        _signalLoop = Task.Run(() => SignalLoopAsync(connection, _stopping.Token));
    }

    /// <summary>A new WebSocket starts with no subscriptions: watch the same accounts again.</summary>
    private async Task ResubscribeAsync(ParleyConnection connection)
    {
        string[] watched;
        lock (_watchedAccounts)
        {
            watched = [.. _watchedAccounts];
        }
        try
        {
            foreach (var update in await connection.SubscribePresenceAsync(watched, _stopping.Token))
            {
                await RaisePresenceAsync(update);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException or LoggedOutException or SendRejectedException)
        {
            // Closed, logged out or refused: nothing to watch on this connection.
        }
    }

    private async Task SignalLoopAsync(ParleyConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in connection.Signals.ReadAllAsync(cancellationToken))
            {
                switch (frame.BodyCase)
                {
                    case ServerFrame.BodyOneofCase.Presence:
                        await RaisePresenceAsync(frame.Presence);
                        break;
                    case ServerFrame.BodyOneofCase.Typing:
                        var typing = frame.Typing;
                        var from = await _store.FindContactByAccountAsync(typing.FromAccount);
                        RaiseTyping(new TypingInfo(typing.FromAccount, from?.Number, string.IsNullOrEmpty(typing.GroupId) ? null : typing.GroupId,
                            typing.State, TimeSpan.FromMilliseconds(typing.ExpiresInMs)));
                        break;
                    case ServerFrame.BodyOneofCase.ProfileChanged:
                        var changed = frame.ProfileChanged;
                        ProfileChanged?.Invoke(new ProfileChangedInfo(changed.AccountId,
                            (await _store.FindContactByAccountAsync(changed.AccountId))?.Number, changed.Version));
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <summary>Raises the indicator and (re)arms its expiry; a stop, or a new indicator, disarms the old one.</summary>
    private void RaiseTyping(TypingInfo typing)
    {
        var key = (typing.AccountId, typing.GroupId);
        CancellationTokenSource? expiry = null;
        lock (_typingExpiries)
        {
            if (_typingExpiries.Remove(key, out var previous))
            {
                previous.Cancel();
            }
            if (typing.State != TypingState.Stopped)
            {
                _typingExpiries[key] = expiry = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            }
        }
        TypingChanged?.Invoke(typing);
        if (expiry is not null)
        {
            _ = ExpireTypingAsync(key, typing.ExpiresIn, typing with { State = TypingState.Stopped, ExpiresIn = TimeSpan.Zero }, expiry);
        }
    }

    private async Task ExpireTypingAsync((string, string?) key, TimeSpan lifetime, TypingInfo stopped, CancellationTokenSource expiry)
    {
        try
        {
            await Task.Delay(lifetime > TimeSpan.Zero ? lifetime : TimeSpan.FromSeconds(6), expiry.Token);
        }
        catch (OperationCanceledException)
        {
            return; // refreshed, stopped, or disposed
        }
        lock (_typingExpiries)
        {
            if (!_typingExpiries.TryGetValue(key, out var current) || current != expiry)
            {
                return;
            }
            _typingExpiries.Remove(key);
        }
        TypingChanged?.Invoke(stopped);
    }

    private async Task RaisePresenceAsync(PresenceUpdate update)
    {
        if (await _store.FindContactByAccountAsync(update.AccountId) is { } contact)
        {
            PresenceChanged?.Invoke(ToPresence(update, contact.Number));
        }
    }

    private static PresenceInfo ToPresence(PresenceUpdate update, string number) =>
        new(number, update.AccountId, update.Online, update.LastSeen > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(update.LastSeen) : null);
}
