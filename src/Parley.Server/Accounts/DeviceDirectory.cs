using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>
/// The send path checks every message against the recipient's device list; reading it from the
/// database each time would cost a query per message. This node-local cache answers instead.
/// A device list changed on another node of a cluster may be stale for
/// <see cref="ShortLivedCache{TValue}.Lifetime"/>, during which a sender may be told its device
/// list is stale and simply retries — never a lost message.
/// </summary>
public sealed class DeviceDirectory(AccountStore accounts, TimeProvider clock)
{
    private readonly ShortLivedCache<IReadOnlyList<DeviceRegistration>> _cache = new(clock, accounts.GetDeviceRegistrationsAsync);

    /// <summary>The account's devices with registration ids; empty when the account does not exist.</summary>
    public ValueTask<IReadOnlyList<DeviceRegistration>> GetAsync(string accountId, CancellationToken cancellationToken) =>
        _cache.GetAsync(accountId, cancellationToken);

    public void Invalidate(string accountId) => _cache.Invalidate(accountId);
}
