using System.Collections.Concurrent;

namespace Parley.Server.Accounts;

/// <summary>
/// The send path checks every message against the recipient's device list; reading it from the
/// database each time would cost a query per message. This node-local cache answers instead.
/// Changes made on this node invalidate it at once; changes made on another node of a cluster
/// show up within <see cref="Lifetime"/>, during which a sender may be told its device list is
/// stale and simply retries — never a lost message.
/// </summary>
public sealed class DeviceDirectory(AccountStore accounts, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    /// <summary>The account's devices with registration ids; empty when the account does not exist.</summary>
    public async ValueTask<IReadOnlyList<DeviceRegistration>> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        var now = clock.GetTimestamp();
        if (_entries.TryGetValue(accountId, out var entry) && clock.GetElapsedTime(entry.LoadedAt, now) < Lifetime)
        {
            return entry.Devices;
        }
        var devices = await accounts.GetDeviceRegistrationsAsync(accountId, cancellationToken);
        _entries[accountId] = new Entry(devices, now);
        if (_entries.Count > 100_000)
        {
            _entries.Clear(); // crude bound; a cache miss only costs one query
        }
        return devices;
    }

    public void Invalidate(string accountId) => _entries.TryRemove(accountId, out _);

    private sealed record Entry(IReadOnlyList<DeviceRegistration> Devices, long LoadedAt);
}
