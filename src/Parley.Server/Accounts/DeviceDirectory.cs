using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>
/// The send path checks every message against the recipient's device list; reading it from the
/// database each time would cost a query per message. This node-local cache answers instead;
/// registering, linking and unlinking a device invalidate the account's entry at once.
/// </summary>
public sealed class DeviceDirectory(AccountStore accounts, TimeProvider clock)
{
    private readonly LocalCache<IReadOnlyList<DeviceRegistration>> _cache = new(clock, accounts.GetDeviceRegistrationsAsync);

    /// <summary>The account's devices with registration ids; empty when the account does not exist.</summary>
    public ValueTask<IReadOnlyList<DeviceRegistration>> GetAsync(string accountId, CancellationToken cancellationToken) =>
        _cache.GetAsync(accountId, cancellationToken);

    public void Invalidate(string accountId) => _cache.Invalidate(accountId);
}
