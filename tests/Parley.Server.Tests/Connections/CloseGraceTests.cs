using System.Diagnostics;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Connections;

/// <summary>
/// When the server closes a device's connection (replaced by a newer one, logged out) it waits a
/// few seconds for the client's answer to its close frame, then cuts the connection off, so a client
/// that never answers does not hold a connection (and its memory) until the keep-alive gives up.
/// </summary>
public sealed class CloseGraceTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    /// <summary>The server's grace period for the client's close frame (DeviceConnection.Close).</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_replaced_connection_that_never_answers_the_close_frame_is_cut_off_after_the_grace_period()
    {
        await using var alice = await TestUser.RegisterAsync(fixture.Server, preKeys: 0);
        using var old = await RawWebSocket.ConnectDeviceAsync(fixture.Server, alice);
        var stream = old.GetStream();
        // Its first frame (the empty backlog's end) comes after the server registered it. Without
        // waiting for it, the replacement could register first and be the one replaced.
        using (var served = new CancellationTokenSource(Expect.Timeout))
        {
            var first = await RawWebSocket.ReadFrameAsync(stream, served.Token);
            Assert.Equal(ServerFrame.BodyOneofCase.QueueDrained, ServerFrame.Parser.ParseFrom(first!.Value.Payload).BodyCase);
        }

        // The same device connects again; the old connection gets a close frame it never answers.
        await using var replacement = await alice.ConnectAsync();
        var replaced = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(Grace * 4); // well inside the 60 s keep-alive timeout
        var closeFrames = 0;
        while (await RawWebSocket.ReadFrameAsync(stream, deadline.Token) is { } frame)
        {
            closeFrames += frame.Opcode == RawWebSocket.CloseOpcode ? 1 : 0;
        }

        Assert.Equal(1, closeFrames);
        Assert.True(replaced.Elapsed >= Grace - TimeSpan.FromMilliseconds(500),
            $"Cut off after {replaced.Elapsed.TotalSeconds:F1} s, without waiting for the client's answer.");
    }
}
