using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Connections;

/// <summary>
/// The WebSocket handshake over a raw TCP socket: the plain upgrade is answered on the bare
/// connection, and every other shape of request still reaches Kestrel and gets its usual answer.
/// </summary>
public sealed class WebSocketHandshakeTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    /// <summary>The accept value RFC 6455 §1.3's example key must produce.</summary>
    private const string ExpectedAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task An_upgrade_in_one_piece_is_accepted_per_RFC_6455_and_serves_the_device()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        using var tcp = await RawWebSocket.ConnectAsync(Server);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(RawWebSocket.Head($"Authorization: {alice.Credentials.ToAuthorizationHeader()}\r\n")));

        var answer = await RawWebSocket.ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101", answer);
        Assert.Contains($"Sec-WebSocket-Accept: {ExpectedAccept}\r\n", answer);
        Assert.DoesNotContain("Sec-WebSocket-Protocol", answer);
        Assert.Equal(ServerFrame.BodyOneofCase.QueueDrained, (await FirstFrameAsync(stream)).BodyCase);
    }

    [Fact]
    public async Task An_upgrade_split_over_two_packets_still_connects()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        using var tcp = await RawWebSocket.ConnectAsync(Server);
        var stream = tcp.GetStream();
        var head = Encoding.ASCII.GetBytes(RawWebSocket.Head($"Authorization: {alice.Credentials.ToAuthorizationHeader()}\r\n"));
        await stream.WriteAsync(head.AsMemory(0, 20));
        await Task.Delay(300);
        await stream.WriteAsync(head.AsMemory(20));

        Assert.StartsWith("HTTP/1.1 101", await RawWebSocket.ReadHeadAsync(stream));
        Assert.Equal(ServerFrame.BodyOneofCase.QueueDrained, (await FirstFrameAsync(stream)).BodyCase);
    }

    [Fact]
    public async Task Browser_credentials_in_a_subprotocol_are_accepted_and_the_parley_protocol_selected()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        using var tcp = await RawWebSocket.ConnectAsync(Server);
        var stream = tcp.GetStream();
        var credentials = BrowserWebSocketAuth.CredentialsProtocol($"{alice.AccountId}.{alice.Credentials.DeviceId}:{alice.Credentials.Password}");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(RawWebSocket.Head($"Sec-WebSocket-Protocol: {BrowserWebSocketAuth.Protocol}, {credentials}\r\n")));

        var answer = await RawWebSocket.ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101", answer);
        Assert.Contains($"Sec-WebSocket-Protocol: {BrowserWebSocketAuth.Protocol}\r\n", answer);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_401_and_a_problem_body()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        using var tcp = await RawWebSocket.ConnectAsync(Server);
        var stream = tcp.GetStream();
        var wrong = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{alice.AccountId}.{alice.Credentials.DeviceId}:not-the-password"));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(RawWebSocket.Head($"Authorization: Basic {wrong}\r\n")));

        var answer = await RawWebSocket.ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 401", answer);
        Assert.Contains("application/problem+json", answer);
    }

    [Theory]
    [InlineData("Sec-WebSocket-Version: 8\r\n", "an unsupported version")]
    [InlineData("Sec-WebSocket-Key: short\r\n", "a key that is not 16 bytes")]
    public async Task A_malformed_upgrade_gets_Kestrels_answer_not_a_connection(string badHeader, string what)
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        using var tcp = await RawWebSocket.ConnectAsync(Server);
        var stream = tcp.GetStream();
        var name = badHeader[..badHeader.IndexOf(':')];
        var head = RawWebSocket.Head($"Authorization: {alice.Credentials.ToAuthorizationHeader()}\r\n")
            .Replace($"{name}: ", $"X-Replaced-{name}: ", StringComparison.Ordinal)
            .Replace("\r\n\r\n", $"\r\n{badHeader}\r\n", StringComparison.Ordinal);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        var answer = await RawWebSocket.ReadHeadAsync(stream);
        Assert.False(answer.StartsWith("HTTP/1.1 101", StringComparison.Ordinal), $"An upgrade with {what} was accepted: {answer}");
    }

    private static async Task<ServerFrame> FirstFrameAsync(NetworkStream stream)
    {
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false });
        using var timeout = new CancellationTokenSource(Expect.Timeout);
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
        return ServerFrame.Parser.ParseFrom(buffer, 0, result.Count);
    }
}
