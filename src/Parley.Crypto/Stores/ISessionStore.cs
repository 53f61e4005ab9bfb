using Parley.Crypto.Sessions;

namespace Parley.Crypto.Stores;

/// <summary>
/// Session records per remote device. <see cref="LoadSessionAsync"/> must return an object the
/// caller may mutate freely (a fresh copy); nothing is persisted until <see cref="StoreSessionAsync"/>.
/// </summary>
public interface ISessionStore
{
    Task<SessionRecord?> LoadSessionAsync(ProtocolAddress address);

    Task StoreSessionAsync(ProtocolAddress address, SessionRecord record);
}
