using System.Collections.Concurrent;
using Parley.Crypto.Keys;

namespace Parley.Crypto.Stores;

/// <summary>Trust-on-first-use identity store in memory (tests, tools, the interop harness).</summary>
public class InMemoryIdentityKeyStore(IdentityKeyPair identityKeyPair, uint registrationId) : IIdentityKeyStore
{
    private readonly ConcurrentDictionary<ProtocolAddress, IdentityKey> _known = new();

    public Task<IdentityKeyPair> GetIdentityKeyPairAsync() => Task.FromResult(identityKeyPair);

    public Task<uint> GetLocalRegistrationIdAsync() => Task.FromResult(registrationId);

    public Task<IdentityChange> SaveIdentityAsync(ProtocolAddress address, IdentityKey identityKey)
    {
        var replaced = false;
        _known.AddOrUpdate(address, identityKey, (_, old) =>
        {
            replaced = !old.Equals(identityKey);
            return identityKey;
        });
        return Task.FromResult(replaced ? IdentityChange.ReplacedExisting : IdentityChange.NewOrUnchanged);
    }

    public Task<bool> IsTrustedIdentityAsync(ProtocolAddress address, IdentityKey identityKey, Direction direction) =>
        Task.FromResult(!_known.TryGetValue(address, out var known) || known.Equals(identityKey));

    public Task<IdentityKey?> GetIdentityAsync(ProtocolAddress address) =>
        Task.FromResult(_known.TryGetValue(address, out var known) ? known : null);
}
