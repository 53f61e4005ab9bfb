using Google.Protobuf;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Connections;
using Parley.Server.Privacy;
using Parley.Server.Storage;

namespace Parley.Server.Presence;

[GenerateSerializer, Immutable]
public sealed record PresenceState([property: Id(0)] bool Online, [property: Id(1)] long LastSeen);

/// <summary>
/// One per account: online while at least one of its devices holds a WebSocket; last seen = when
/// the last one disconnected. Pushes changes to the connections subscribed to it. Ephemeral by
/// design: nothing is queued for offline subscribers.
/// </summary>
public interface IPresenceGrain : IGrainWithStringKey
{
    Task Connected(Guid connectionId);

    Task Disconnected(Guid connectionId);

    Task<PresenceState> Subscribe(DeviceAddress subscriber, INodeObserver node);

    Task Unsubscribe(DeviceAddress subscriber);

    /// <summary>The account's privacy settings, blocks or contacts changed: re-decide who sees its presence.</summary>
    Task RefreshVisibility();

    /// <summary>Tells the watchers that the account's profile changed (they fetch it again, under its privacy rules).</summary>
    Task ProfileChanged(long version);
}

public sealed class PresenceGrain(Database database, PrivacyPolicy privacy, TimeProvider clock) : Grain, IPresenceGrain
{
    private readonly HashSet<Guid> _connections = [];
    private readonly Dictionary<DeviceAddress, Watcher> _subscribers = [];
    private long _lastSeen;

    private string AccountId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT last_seen FROM accounts WHERE id = @a").With("a", AccountId);
        _lastSeen = await command.ExecuteScalarAsync(cancellationToken) is long seen ? seen : 0;
    }

    public Task Connected(Guid connectionId)
    {
        var wasOnline = _connections.Count > 0;
        _connections.Add(connectionId);
        if (!wasOnline)
        {
            Broadcast();
        }
        KeepAliveWhileNeeded();
        return Task.CompletedTask;
    }

    public async Task Disconnected(Guid connectionId)
    {
        if (!_connections.Remove(connectionId) || _connections.Count > 0)
        {
            return;
        }
        _lastSeen = clock.GetUtcNow().ToUnixTimeMilliseconds();
        Broadcast();
        KeepAliveWhileNeeded();
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("UPDATE accounts SET last_seen = @at WHERE id = @a", CancellationToken.None,
            ("at", _lastSeen), ("a", AccountId));
    }

    public async Task<PresenceState> Subscribe(DeviceAddress subscriber, INodeObserver node)
    {
        var visible = await privacy.AllowsAsync(AccountId, subscriber.AccountId, PrivacyTopic.LastSeen, CancellationToken.None);
        _subscribers[subscriber] = new Watcher(node, visible);
        KeepAliveWhileNeeded();
        return visible ? State : Hidden;
    }

    public Task Unsubscribe(DeviceAddress subscriber)
    {
        _subscribers.Remove(subscriber);
        KeepAliveWhileNeeded();
        return Task.CompletedTask;
    }

    public async Task RefreshVisibility()
    {
        var decisions = new Dictionary<string, bool>();
        foreach (var (subscriber, watcher) in _subscribers.ToList())
        {
            if (!decisions.TryGetValue(subscriber.AccountId, out var visible))
            {
                visible = decisions[subscriber.AccountId] =
                    await privacy.AllowsAsync(AccountId, subscriber.AccountId, PrivacyTopic.LastSeen, CancellationToken.None);
            }
            if (visible != watcher.Visible && _subscribers.ContainsKey(subscriber))
            {
                _subscribers[subscriber] = watcher with { Visible = visible };
                _ = watcher.Node.PushEphemeral(subscriber, new ServerFrame { Presence = ToWire(AccountId, visible ? State : Hidden) }.ToByteArray());
            }
        }
        KeepAliveWhileNeeded();
    }

    public Task ProfileChanged(long version)
    {
        var frame = new ServerFrame { ProfileChanged = new Protocol.Wire.ProfileChanged { AccountId = AccountId, Version = version } }.ToByteArray();
        foreach (var (subscriber, watcher) in _subscribers)
        {
            watcher.Node.PushEphemeral(subscriber, frame);
        }
        return Task.CompletedTask;
    }

    private PresenceState State => new(_connections.Count > 0, _lastSeen);

    private static readonly PresenceState Hidden = new(false, 0);

    public static PresenceUpdate ToWire(string accountId, PresenceState state) =>
        new() { AccountId = accountId, Online = state.Online, LastSeen = state.LastSeen };

    private void Broadcast()
    {
        var frame = new ServerFrame { Presence = ToWire(AccountId, State) }.ToByteArray();
        foreach (var (subscriber, watcher) in _subscribers)
        {
            if (watcher.Visible)
            {
                watcher.Node.PushEphemeral(subscriber, frame);
            }
        }
    }

    /// <summary>This activation is the only record of who is online and who listens; keep it while either matters.</summary>
    private void KeepAliveWhileNeeded() =>
        DelayDeactivation(_connections.Count > 0 || _subscribers.Count > 0 ? Timeout.InfiniteTimeSpan : TimeSpan.Zero);

    private sealed record Watcher(INodeObserver Node, bool Visible);
}
