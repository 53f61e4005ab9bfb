namespace Parley.Crypto.Stores;

/// <summary>All stores of one device, for callers that keep them together.</summary>
public interface ISignalProtocolStore : IIdentityKeyStore, IPreKeyStore, ISignedPreKeyStore, IKyberPreKeyStore, ISessionStore, ISenderKeyStore;
