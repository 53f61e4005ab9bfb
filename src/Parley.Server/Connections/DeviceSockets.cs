using System.Net.WebSockets;
using Parley.Server.Accounts;

namespace Parley.Server.Connections;

/// <summary>
/// Serves a device's accepted WebSocket for as long as it lasts: registers the connection (closing
/// the one it replaces), announces the device online, and undoes both at the end. Both handshakes
/// end here: the lean one on the bare connection (<see cref="DeviceSocketHandshake"/>) and the
/// HTTP middleware (<see cref="WebSocketEndpoint"/>) that answers everything else.
/// </summary>
public sealed class DeviceSockets(DeviceCredentialCheck credentials, ConnectionRegistry registry, ConnectionServices services, IGrainFactory grains)
{
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The device an Authorization header proves, or null.</summary>
    public Task<DeviceAddress?> AuthenticateAsync(string authorization, CancellationToken cancellationToken) =>
        credentials.AuthenticateAsync(authorization, cancellationToken);

    public async Task ServeAsync(DeviceAddress device, WebSocket socket, CancellationToken aborted)
    {
        var connection = new DeviceConnection(device, socket, services);
        var replaced = registry.Register(connection);
        // Online before the replaced connection goes: a reconnecting device must not flicker offline.
        await connection.AnnounceOnlineAsync();
        replaced?.Close(CloseCodes.Replaced, "connected elsewhere");
        var directory = ConnectionDirectoryGrain.For(grains, device);
        await directory.Connect(device, registry.Reference, connection.Id);
        try
        {
            await connection.RunAsync(aborted);
        }
        finally
        {
            registry.Unregister(connection);
            await directory.Disconnect(device, connection.Id);
            await connection.AnnounceOfflineAsync();
        }
    }
}
