using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;

namespace Parley.Server.Connections;

/// <summary>
/// /v1/websocket: the authenticated, binary-protobuf channel of a device (frames: ClientFrame and
/// ServerFrame in websocket.proto). It is answered by a middleware at the front of the pipeline, not
/// by an endpoint: a WebSocket request lasts as long as the connection, and behind an endpoint every
/// middleware's suspended state, the authentication and authorization services and the request's
/// service scope stayed allocated for the whole connection — about 3 KB per idle device.
/// </summary>
public static class WebSocketEndpoint
{
    public const string Path = "/v1/websocket";

    private static readonly WebSocketAcceptContext AcceptOptions = new()
    {
        KeepAliveInterval = TimeSpan.FromSeconds(30),
        KeepAliveTimeout = TimeSpan.FromSeconds(60),
    };

    public static IApplicationBuilder UseDeviceWebSockets(this IApplicationBuilder app)
    {
        // Resolved once: touching context.RequestServices would create a service scope per connection.
        var credentials = app.ApplicationServices.GetRequiredService<DeviceCredentialCheck>();
        var registry = app.ApplicationServices.GetRequiredService<ConnectionRegistry>();
        var services = app.ApplicationServices.GetRequiredService<ConnectionServices>();
        var grains = app.ApplicationServices.GetRequiredService<IGrainFactory>();
        app.UseWebSockets();
        return app.Use((context, next) => context.Request.Path.Equals(Path, StringComparison.Ordinal)
            ? AcceptAsync(context, credentials, registry, services, grains)
            : next(context));
    }

    private static async Task AcceptAsync(HttpContext context, DeviceCredentialCheck credentials, ConnectionRegistry registry,
        ConnectionServices services, IGrainFactory grains)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || !context.WebSockets.IsWebSocketRequest)
        {
            await ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "This endpoint only accepts WebSocket upgrades.").ExecuteAsync(context);
            return;
        }
        if (await credentials.AuthenticateAsync(context.Request.Headers.Authorization.ToString(), context.RequestAborted) is not { } device)
        {
            await ApiProblem.Create(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "Device credentials are missing or wrong.")
                .ExecuteAsync(context);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync(AcceptOptions);
        var connection = new DeviceConnection(device, socket, services);
        var replaced = registry.Register(connection);
        // Online before the replaced connection goes: a reconnecting device must not flicker offline.
        await connection.AnnounceOnlineAsync();
        replaced?.Close(CloseCodes.Replaced, "connected elsewhere");
        var directory = ConnectionDirectoryGrain.For(grains, device);
        await directory.Connect(device, registry.Reference, connection.Id);
        try
        {
            await connection.RunAsync(context.RequestAborted);
        }
        finally
        {
            registry.Unregister(connection);
            await directory.Disconnect(device, connection.Id);
            await connection.AnnounceOfflineAsync();
        }
    }
}
