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
    /// <summary>The device an Authorization header proves, or null.</summary>
    public Task<DeviceAddress?> AuthenticateAsync(string authorization, CancellationToken cancellationToken) =>
        credentials.AuthenticateAsync(authorization, cancellationToken);

    /// <summary>
    /// Serves the socket until it closes. With <paramref name="stream"/> (the bare-connection handshake)
    /// the node's <see cref="KeepAliveSweep"/> keeps it alive; without, the WebSocket pings by itself.
    /// The socket is disposed when the connection ends.
    /// </summary>
    internal Task ServeAsync(DeviceAddress device, WebSocket socket, PipeSocketStream? stream) =>
        new DeviceConnection(device, socket, stream, services).ServeAsync();
}
