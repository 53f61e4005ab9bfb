using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Presence;

/// <summary>What a <see cref="PresenceGrain"/> learns from its partition; the version orders the updates.</summary>
[GenerateSerializer, Immutable]
public sealed record VersionedPresence([property: Id(0)] PresenceState State, [property: Id(1)] long Version);

/// <summary>
/// Who is online, for one partition of all accounts: an account is online while at least one of
/// its devices holds a WebSocket. A partition rather than a grain per account: an activation costs
/// about 2 KB, an entry here about 200 bytes, and every connected account has one. The account's
/// <see cref="PresenceGrain"/>, which pushes changes to watchers, is activated only while somebody
/// watches; it registers here and is told of each change.
/// </summary>
public interface IPresencePartitionGrain : IGrainWithIntegerKey
{
    Task Connected(string accountId, Guid connectionId);

    Task Disconnected(string accountId, Guid connectionId);

    /// <summary>The account's presence grain is active: tell it every change from now on.</summary>
    Task<VersionedPresence> Watch(string accountId);

    Task Unwatch(string accountId);
}

public sealed class PresencePartitionGrain(Database database, IGrainFactory grains, TimeProvider clock) : Grain, IPresencePartitionGrain
{
    /// <summary>Partitions of the account space: enough that one node's grain turns don't queue behind each other.</summary>
    public const int Partitions = 256;

    private readonly Dictionary<string, Entry> _accounts = [];

    /// <summary>The partition that knows <paramref name="accountId"/>: a hash that every node computes alike.</summary>
    public static IPresencePartitionGrain For(IGrainFactory grains, string accountId) =>
        grains.GetGrain<IPresencePartitionGrain>(PartitionHash.Of(accountId) % Partitions);

    public Task Connected(string accountId, Guid connectionId)
    {
        var entry = EntryFor(accountId);
        var wasOnline = entry.Online;
        entry.Add(connectionId);
        if (!wasOnline)
        {
            Changed(accountId, entry);
        }
        return Task.CompletedTask;
    }

    public async Task Disconnected(string accountId, Guid connectionId)
    {
        if (!_accounts.TryGetValue(accountId, out var entry) || !entry.Remove(connectionId) || entry.Online)
        {
            return;
        }
        entry.LastSeen = clock.GetUtcNow().ToUnixTimeMilliseconds();
        Changed(accountId, entry);
        ForgetIfUnused(accountId, entry);
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("UPDATE accounts SET last_seen = @at WHERE id = @a", CancellationToken.None,
            ("at", entry.LastSeen), ("a", accountId));
    }

    public Task<VersionedPresence> Watch(string accountId)
    {
        var entry = EntryFor(accountId);
        entry.Watched = true;
        return Task.FromResult(new VersionedPresence(entry.State, entry.Version));
    }

    public Task Unwatch(string accountId)
    {
        if (_accounts.TryGetValue(accountId, out var entry))
        {
            entry.Watched = false;
            ForgetIfUnused(accountId, entry);
        }
        return Task.CompletedTask;
    }

    private Entry EntryFor(string accountId)
    {
        if (!_accounts.TryGetValue(accountId, out var entry))
        {
            _accounts[accountId] = entry = new Entry();
            // This activation is the only record of who is online: keep it while it knows anyone.
            DelayDeactivation(Timeout.InfiniteTimeSpan);
        }
        return entry;
    }

    /// <summary>Tells the account's presence grain, if one is active; one-way, so this grain never waits on it.</summary>
    private void Changed(string accountId, Entry entry)
    {
        entry.Version++;
        if (entry.Watched)
        {
            _ = grains.GetGrain<IPresenceGrain>(accountId).Changed(new VersionedPresence(entry.State, entry.Version));
        }
    }

    /// <summary>An offline account nobody watches needs no entry (its last seen is in the database).</summary>
    private void ForgetIfUnused(string accountId, Entry entry)
    {
        if (!entry.Online && !entry.Watched)
        {
            _accounts.Remove(accountId);
            if (_accounts.Count == 0)
            {
                DelayDeactivation(TimeSpan.Zero);
            }
        }
    }

    /// <summary>An account's connections (their ids), last seen and who watches it.</summary>
    private sealed class Entry
    {
        // Most accounts have one device connected: its id is kept inline, more go to a list made when needed.
        private Guid _first;
        private List<Guid>? _more;

        public bool Online => _first != Guid.Empty;

        public long LastSeen { get; set; }

        public long Version { get; set; }

        public bool Watched { get; set; }

        public PresenceState State => new(Online, LastSeen);

        public void Add(Guid connectionId)
        {
            if (connectionId == _first || _more?.Contains(connectionId) == true)
            {
                return;
            }
            if (Online)
            {
                (_more ??= []).Add(connectionId);
            }
            else
            {
                _first = connectionId;
            }
        }

        public bool Remove(Guid connectionId)
        {
            if (connectionId != _first)
            {
                return _more?.Remove(connectionId) ?? false;
            }
            if (_more is { Count: > 0 })
            {
                _first = _more[^1];
                _more.RemoveAt(_more.Count - 1);
            }
            else
            {
                _first = Guid.Empty;
            }
            return true;
        }
    }
}
