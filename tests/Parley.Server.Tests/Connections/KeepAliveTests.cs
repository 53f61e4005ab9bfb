using System.Diagnostics;
using System.Net.WebSockets;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Connections;

/// <summary>
/// The server pings every device's WebSocket and disconnects a device that no longer answers, so a
/// phone that dropped off the network shows offline (with its last seen) instead of online forever.
/// The server here pings every 0.5 s and gives up after 2 s of silence (defaults: 30 s and 60 s).
/// </summary>
public sealed class KeepAliveTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private ParleyServer _server = null!;

    public async Task InitializeAsync() => _server = await ParleyServer.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
    {
        ["Parley:KeepAlive:IntervalSeconds"] = "0.5",
        ["Parley:KeepAlive:TimeoutSeconds"] = Timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_device_that_stops_answering_is_pinged_then_disconnected_and_shown_offline()
    {
        await using var alice = await TestUser.RegisterAsync(_server, preKeys: 0);
        await using var bob = await TestUser.RegisterAsync(_server, preKeys: 0);
        var bobSocket = await bob.ConnectAsync();
        Assert.False(Assert.Single(await bobSocket.SubscribePresenceAsync([alice.AccountId])).Online);

        // Alice's device connects, then never sends another byte (not even a pong): its network is gone.
        using var tcp = await RawWebSocket.ConnectDeviceAsync(_server, alice);
        var stream = tcp.GetStream();
        var connected = Stopwatch.StartNew();
        Assert.True((await Expect.SignalAsync(bobSocket, "Alice coming online")).Presence.Online);

        using var deadline = new CancellationTokenSource(Expect.Timeout);
        var pings = 0;
        while (await RawWebSocket.ReadFrameAsync(stream, deadline.Token) is { } frame)
        {
            pings += frame.Opcode == RawWebSocket.PingOpcode ? 1 : 0;
        }
        var silentFor = connected.Elapsed;

        Assert.True(pings > 0, "The server never pinged the idle device.");
        Assert.True(silentFor >= Timeout - TimeSpan.FromMilliseconds(200), $"Disconnected after {silentFor.TotalSeconds:F1} s, before the {Timeout.TotalSeconds} s timeout.");
        var offline = (await Expect.SignalAsync(bobSocket, "Alice going offline")).Presence;
        Assert.False(offline.Online);
        Assert.True(offline.LastSeen > 0);
    }

    [Fact]
    public async Task A_device_that_answers_the_pings_stays_connected_well_past_the_timeout()
    {
        await using var alice = await TestUser.RegisterAsync(_server, preKeys: 0);
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero; // it sends nothing of its own accord; it only answers pings
        socket.Options.SetRequestHeader("Authorization", alice.Credentials.ToAuthorizationHeader().ToString());
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_server.Process.Port}/v1/websocket"), CancellationToken.None);
        var buffer = new byte[64 * 1024];
        Assert.Equal(WebSocketMessageType.Binary, (await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType); // queue drained

        // A pending receive is what answers pings; it would fail if the server gave up on the socket.
        var receiving = socket.ReceiveAsync(buffer, CancellationToken.None);
        await Task.Delay(Timeout * 3);

        Assert.False(receiving.IsCompleted, $"The connection ended: {(receiving.IsFaulted ? receiving.Exception!.InnerException!.Message : socket.CloseStatus.ToString())}");
        Assert.Equal(WebSocketState.Open, socket.State);
    }
}
