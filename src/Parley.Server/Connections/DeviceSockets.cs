using System.Net.WebSockets;
using Parley.Server.Accounts;

namespace Parley.Server.Connections;

/// <summary>
/// Serves a device's accepted WebSocket for as long as it lasts (see <see cref="DeviceConnection.ServeAsync"/>).
/// Both handshakes end here: the lean one on the bare connection (<see cref="DeviceSocketHandshake"/>) and the
/// HTTP middleware (<see cref="WebSocketEndpoint"/>) that answers everything else.
/// </summary>
public sealed class DeviceSockets(DeviceCredentialCheck credentials, ConnectionServices services)
{
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The device an Authorization header proves, or null.</summary>
    public Task<DeviceAddress?> AuthenticateAsync(string authorization, CancellationToken cancellationToken) =>
        credentials.AuthenticateAsync(authorization, cancellationToken);

    public Task ServeAsync(DeviceAddress device, WebSocket socket, CancellationToken aborted) =>
        new DeviceConnection(device, socket, services).ServeAsync(aborted);
}
