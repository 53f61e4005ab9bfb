using System.Net.WebSockets;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Connections;

/// <summary>A server that is stopped tells its devices at once, so they reconnect instead of hanging on a dead socket.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Stopping_the_server_closes_device_sockets_with_1001_and_it_exits_promptly()
    {
        await using var server = await ParleyServer.StartAsync(DatabaseKind.Sqlite);
        await using var alice = await TestUser.RegisterAsync(server);
        await using var bob = await TestUser.RegisterAsync(server);
        // Bob watches Alice: presence grains and partitions have work to undo at shutdown too.
        await (await bob.ConnectAsync()).SubscribePresenceAsync([alice.AccountId]);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", alice.Credentials.ToAuthorizationHeader().ToString());
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Process.Port}/v1/websocket"), CancellationToken.None);
        var buffer = new byte[64 * 1024];
        Assert.Equal(WebSocketMessageType.Binary, (await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType); // queue drained

        var stopping = server.Process.StopAsync();
        using var timeout = new CancellationTokenSource(Expect.Timeout);
        while ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close)
        {
        }
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        // Before, the server waited out its 30 s shutdown timeout for every open WebSocket.
        await stopping.WaitAsync(Expect.Timeout);
    }
}
