using Parley.Crypto.Keys;

namespace Parley.Crypto.Stores;

/// <summary>Whether an identity is being checked to send to it or to accept a message from it.</summary>
public enum Direction
{
    Sending,
    Receiving,
}

/// <summary>What <see cref="IIdentityKeyStore.SaveIdentityAsync"/> did.</summary>
public enum IdentityChange
{
    /// <summary>First key seen for the address, or the same key again.</summary>
    NewOrUnchanged,

    /// <summary>A different key replaced the one stored: the UI should say the safety number changed.</summary>
    ReplacedExisting,
}

/// <summary>The local identity and the identities trusted for remote addresses.</summary>
public interface IIdentityKeyStore
{
    Task<IdentityKeyPair> GetIdentityKeyPairAsync();

    Task<uint> GetLocalRegistrationIdAsync();

    /// <summary>Remembers <paramref name="identityKey"/> as the address's identity from now on.</summary>
    Task<IdentityChange> SaveIdentityAsync(ProtocolAddress address, IdentityKey identityKey);

    /// <summary>
    /// False blocks the operation with <see cref="SignalError.UntrustedIdentity"/>. The usual policy
    /// is trust on first use: unknown addresses are trusted, a changed key is not until the user
    /// accepts it (by saving it).
    /// </summary>
    Task<bool> IsTrustedIdentityAsync(ProtocolAddress address, IdentityKey identityKey, Direction direction);

    Task<IdentityKey?> GetIdentityAsync(ProtocolAddress address);
}
