using System.Collections.Concurrent;

namespace Parley.Server.Storage;

/// <summary>
/// A node-local cache for data the hot path reads on every message (device lists, block lists).
/// Changes made on this node invalidate an entry at once; changes made on another node of a
/// cluster show up within <see cref="Lifetime"/>.
/// </summary>
public sealed class ShortLivedCache<TValue>(TimeProvider clock, Func<string, CancellationToken, Task<TValue>> load)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);

    /// <summary>A crude bound; a miss only costs one query.</summary>
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    public async ValueTask<TValue> GetAsync(string key, CancellationToken cancellationToken)
    {
        var now = clock.GetTimestamp();
        if (_entries.TryGetValue(key, out var entry) && clock.GetElapsedTime(entry.LoadedAt, now) < Lifetime)
        {
            return entry.Value;
        }
        var value = await load(key, cancellationToken);
        if (_entries.Count > MaxEntries)
        {
            _entries.Clear();
        }
        _entries[key] = new Entry(value, now);
        return value;
    }

    public void Invalidate(string key) => _entries.TryRemove(key, out _);

    private sealed record Entry(TValue Value, long LoadedAt);
}
