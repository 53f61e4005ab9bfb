using System.Security.Claims;
using Parley.Server.Accounts;

namespace Parley.Server.Connections;

/// <summary>/v1/websocket: the authenticated, binary-protobuf channel of a device.</summary>
public static class WebSocketEndpoint
{
    public static void MapWebSocketEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/websocket", AcceptAsync).RequireAuthorization().WithTags("Messages")
            .WithSummary("Upgrade to the device's WebSocket (frames: ClientFrame/ServerFrame in websocket.proto).");
    }

    private static async Task<IResult> AcceptAsync(HttpContext context, ClaimsPrincipal user, ConnectionRegistry registry,
        ConnectionServices services, IGrainFactory grains)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Hosting.ApiProblem.BadRequest(Protocol.Rest.ErrorCodes.InvalidRequest, "This endpoint only accepts WebSocket upgrades.");
        }
        var device = user.Device();
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TimeSpan.FromSeconds(30),
            KeepAliveTimeout = TimeSpan.FromSeconds(60),
        });
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
        return Results.Empty;
    }
}
