using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;

namespace Parley.Server.Connections;

/// <summary>
/// /v1/websocket: the authenticated, binary-protobuf channel of a device (frames: ClientFrame and
/// ServerFrame in websocket.proto). The plain upgrade is answered before HTTP, on the bare connection
/// (<see cref="DeviceSocketHandshake"/>); this middleware answers the rest: upgrades that arrive in
/// pieces, over TLS or HTTP/2, and every refusal. It sits at the front of the pipeline, not behind an
/// endpoint: a WebSocket request lasts as long as the connection, and behind an endpoint every
/// middleware's suspended state, the authentication and authorization services and the request's
/// service scope stayed allocated for the whole connection — about 3 KB per idle device.
/// </summary>
public static class WebSocketEndpoint
{
    public const string Path = "/v1/websocket";

    public static IApplicationBuilder UseDeviceWebSockets(this IApplicationBuilder app)
    {
        // Resolved once: touching context.RequestServices would create a service scope per connection.
        var sockets = app.ApplicationServices.GetRequiredService<DeviceSockets>();
        // These sockets ping by themselves (a timer each); this path is the exception, not the rule.
        var keepAlive = app.ApplicationServices.GetRequiredService<KeepAliveOptions>();
        var accept = new WebSocketAcceptContext { KeepAliveInterval = keepAlive.Interval, KeepAliveTimeout = keepAlive.Timeout };
        // Without this, a stopping server waits out its shutdown timeout (30 s) for every open WebSocket,
        // then drops them; with it, clients are told at once and reconnect to the next server.
        var registry = app.ApplicationServices.GetRequiredService<ConnectionRegistry>();
        app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping
            .Register(() => registry.CloseAll(CloseCodes.GoingAway, "server shutting down"));
        app.UseWebSockets();
        return app.Use((context, next) => context.Request.Path.Equals(Path, StringComparison.Ordinal)
            ? AcceptAsync(context, sockets, accept)
            : next(context));
    }

    private static async Task AcceptAsync(HttpContext context, DeviceSockets sockets, WebSocketAcceptContext accept)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || !context.WebSockets.IsWebSocketRequest)
        {
            await ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "This endpoint only accepts WebSocket upgrades.").ExecuteAsync(context);
            return;
        }
        if (await sockets.AuthenticateAsync(context.Request.Headers.Authorization.ToString(), context.RequestAborted) is not { } device)
        {
            await ApiProblem.Create(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "Device credentials are missing or wrong.")
                .ExecuteAsync(context);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync(accept);
        await sockets.ServeAsync(device, socket, stream: null);
    }
}
