using Google.Protobuf;
using Orleans.Concurrency;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Connections;
using Parley.Server.Privacy;
using Parley.Server.Storage;

namespace Parley.Server.Presence;

[GenerateSerializer, Immutable]
public sealed record PresenceState([property: Id(0)] bool Online, [property: Id(1)] long LastSeen);

/// <summary>
/// One per watched account: pushes its presence (online, last seen: kept by its
/// <see cref="PresencePartitionGrain"/>) to the connections subscribed to it. Active only while
/// somebody watches. Ephemeral by design: nothing is queued for offline subscribers.
/// </summary>
public interface IPresenceGrain : IGrainWithStringKey
{
    /// <summary>From the account's partition: the account came online or went offline.</summary>
    [OneWay]
    Task Changed(VersionedPresence presence);

    Task<PresenceState> Subscribe(DeviceAddress subscriber, INodeObserver node);

    Task Unsubscribe(DeviceAddress subscriber);

    /// <summary>The account's privacy settings, blocks or contacts changed: re-decide who sees its presence.</summary>
    Task RefreshVisibility();

    /// <summary>Tells the watchers that the account's profile changed (they fetch it again, under its privacy rules).</summary>
    Task ProfileChanged(long version);
}

public sealed class PresenceGrain(Database database, PrivacyPolicy privacy) : Grain, IPresenceGrain
{
    private readonly Dictionary<DeviceAddress, Watcher> _subscribers = [];
    private VersionedPresence _presence = new(Hidden, 0);

    private string AccountId => this.GetPrimaryKeyString();

    private IPresencePartitionGrain Partition => PresencePartitionGrain.For(GrainFactory, AccountId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _presence = await Partition.Watch(AccountId);
        if (_presence.State is { Online: false, LastSeen: 0 })
        {
            // Not seen since this server started: the last time is in the database.
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.Command("SELECT last_seen FROM accounts WHERE id = @a").With("a", AccountId);
            var lastSeen = await command.ExecuteScalarAsync(cancellationToken) is long seen ? seen : 0;
            _presence = _presence with { State = new PresenceState(false, lastSeen) };
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Partition.Unwatch(AccountId);

    public Task Changed(VersionedPresence presence)
    {
        // One-way messages may overtake each other; the partition's version says which is newer.
        if (presence.Version > _presence.Version)
        {
            _presence = presence;
            Broadcast();
        }
        KeepAliveWhileNeeded();
        return Task.CompletedTask;
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

    private PresenceState State => _presence.State;

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

    /// <summary>This activation is the only record of who listens; keep it while anyone does.</summary>
    private void KeepAliveWhileNeeded() =>
        DelayDeactivation(_subscribers.Count > 0 ? Timeout.InfiniteTimeSpan : TimeSpan.Zero);

    private sealed record Watcher(INodeObserver Node, bool Visible);
}
