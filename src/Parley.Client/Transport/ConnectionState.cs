namespace Parley.Client.Transport;

/// <summary>What a UI shows: "connecting…", online, or signed out for good.</summary>
public enum ConnectionState
{
    Connecting,
    Connected,
    /// <summary>The server voided this device's credentials (re-registration or unlinking); no reconnect.</summary>
    LoggedOut,
    Closed,
}
