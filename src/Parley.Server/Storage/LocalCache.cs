using System.Collections.Concurrent;

namespace Parley.Server.Storage;

/// <summary>
/// A node-local cache for data the hot path reads on every message (device lists, block lists).
/// Every change to such data is made through an endpoint that calls <see cref="Invalidate"/>, so an
/// entry can live long: a server is one node (Orleans localhost clustering), and reloading a busy
/// account's device list every couple of seconds cost a blocking SQLite read on most sends.
/// <see cref="Lifetime"/> only bounds how long a change made behind the server's back (by hand in
/// the database) stays unseen. A multi-node cluster must broadcast invalidations before it relies
/// on this.
/// </summary>
public sealed class LocalCache<TValue>(TimeProvider clock, Func<string, CancellationToken, Task<TValue>> load)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>A crude bound; a miss only costs one query.</summary>
    private const int MaxEntries = 200_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    /// <summary>Bumped by every invalidation, so a load that raced with one is not kept.</summary>
    private long _generation;

    public async ValueTask<TValue> GetAsync(string key, CancellationToken cancellationToken)
    {
        var now = clock.GetTimestamp();
        if (_entries.TryGetValue(key, out var entry) && clock.GetElapsedTime(entry.LoadedAt, now) < Lifetime)
        {
            return entry.Value;
        }
        var generation = Interlocked.Read(ref _generation);
        var value = await load(key, cancellationToken);
        if (_entries.Count > MaxEntries)
        {
            _entries.Clear();
        }
        if (Interlocked.Read(ref _generation) == generation)
        {
            _entries[key] = new Entry(value, now);
        }
        return value;
    }

    public void Invalidate(string key)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(key, out _);
    }

    private sealed record Entry(TValue Value, long LoadedAt);
}
