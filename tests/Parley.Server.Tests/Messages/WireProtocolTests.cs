using System.Net.WebSockets;
using Google.Protobuf;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Messages;

/// <summary>Every bad frame gets its documented error or close code, and hurts no one else.</summary>
public abstract class WireProtocolTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Message_for_wrong_devices_names_the_missing_and_extra_ones()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var socket = await alice.ConnectAsync();
        var message = TestUser.MessageTo(bob, "x");
        message.Ciphertexts[0].DeviceId = 3;
        message.Ciphertexts.Add(new DeviceCiphertext { DeviceId = 2, RegistrationId = 1, Type = EnvelopeType.Ciphertext, Content = ByteString.CopyFromUtf8("y") });

        var rejected = await Expect.RejectedAsync(socket.SendAsync(message));

        Assert.Equal(ErrorCode.MismatchedDevices, rejected.Code);
        Assert.Equal([1u], rejected.Error.MissingDevices);
        Assert.Equal([2u, 3u], rejected.Error.ExtraDevices);
        Assert.Equal(0, await Server.ScalarAsync("SELECT COUNT(*) FROM envelopes WHERE account_id = @a", ("a", bob.AccountId)));
    }

    [Fact]
    public async Task Message_built_for_an_old_registration_id_is_stale()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var socket = await alice.ConnectAsync();
        var message = TestUser.MessageTo(bob, "x");
        message.Ciphertexts[0].RegistrationId = (uint)(bob.RegistrationId % 16000) + 1;

        var rejected = await Expect.RejectedAsync(socket.SendAsync(message));

        Assert.Equal(ErrorCode.StaleDevices, rejected.Code);
        Assert.Equal([1u], rejected.Error.StaleDevices);
    }

    [Fact]
    public async Task Message_to_an_unknown_account_is_refused()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var socket = await alice.ConnectAsync();
        var message = TestUser.MessageTo(bob, "x");
        message.DestinationAccount = Guid.NewGuid().ToString();
        Assert.Equal(ErrorCode.UnknownAccount, (await Expect.RejectedAsync(socket.SendAsync(message))).Code);
    }

    [Fact]
    public async Task Oversized_ciphertext_is_refused_as_too_large()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var socket = await alice.ConnectAsync();
        var message = TestUser.MessageTo(bob, "");
        message.Ciphertexts[0].Content = ByteString.CopyFrom(new byte[64 * 1024 + 1]);
        Assert.Equal(ErrorCode.TooLarge, (await Expect.RejectedAsync(socket.SendAsync(message))).Code);
    }

    [Theory]
    [InlineData("message id of 3 bytes")]
    [InlineData("no ciphertexts")]
    [InlineData("receipt type as ciphertext")]
    [InlineData("empty ciphertext")]
    [InlineData("destination that is not a UUID")]
    [InlineData("device listed twice")]
    public async Task Invalid_send_fields_are_malformed(string what)
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var socket = await alice.ConnectAsync();
        var message = TestUser.MessageTo(bob, "x");
        switch (what)
        {
            case "message id of 3 bytes": message.MessageId = ByteString.CopyFrom(1, 2, 3); break;
            case "no ciphertexts": message.Ciphertexts.Clear(); break;
            case "receipt type as ciphertext": message.Ciphertexts[0].Type = EnvelopeType.DeliveryReceipt; break;
            case "empty ciphertext": message.Ciphertexts[0].Content = ByteString.Empty; break;
            case "destination that is not a UUID": message.DestinationAccount = "bob"; break;
            case "device listed twice": message.Ciphertexts.Add(message.Ciphertexts[0].Clone()); break;
        }
        var rejected = await Expect.RejectedAsync(socket.SendAsync(message));
        Assert.True(rejected.Code == ErrorCode.MalformedFrame, $"{what}: expected MALFORMED_FRAME, got {rejected.Code}");
    }

    [Fact]
    public async Task Garbage_bytes_get_an_error_frame_and_the_connection_keeps_working()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        var socket = await alice.ConnectAsync();

        await socket.SendRawAsync([0xFF, 0xFF, 0xFF, 0x01, 0x02]);

        var error = await socket.UnsolicitedErrors.Reader.ReadAsync().AsTask().WaitAsync(Expect.Timeout);
        Assert.Equal(ErrorCode.MalformedFrame, error.Code);
        Assert.True(await socket.PingAsync() < Expect.Timeout);
    }

    [Fact]
    public async Task Frame_without_a_body_is_malformed()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        var socket = await alice.ConnectAsync();
        var rejected = await Expect.RejectedAsync(socket.RequestAsync(new ClientFrame()));
        Assert.Equal(ErrorCode.MalformedFrame, rejected.Code);
    }

    [Fact]
    public async Task Text_frame_closes_the_connection_with_1003()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        using var raw = await ConnectRawAsync(alice);
        await raw.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await ReadUntilClosedAsync(raw));
    }

    [Fact]
    public async Task Frame_over_one_megabyte_closes_the_connection_with_1009_and_others_are_unaffected()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        await using var carol = await TestUser.RegisterAsync(Server);
        var bobSocket = await bob.ConnectAsync();
        var carolSocket = await carol.ConnectAsync();
        using var raw = await ConnectRawAsync(alice);

        var huge = new byte[1024 * 1024 + 1];
        try
        {
            await raw.SendAsync(huge, WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        catch (WebSocketException)
        {
            // The server may close before the whole frame is written.
        }

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await ReadUntilClosedAsync(raw));
        await carolSocket.SendAsync(TestUser.MessageTo(bob, "still fine"));
        Assert.Equal("still fine", (await Expect.EnvelopeAsync(bobSocket, "a message between other users")).Content.ToStringUtf8());
    }

    [Fact]
    public async Task WebSocket_without_credentials_is_refused()
    {
        using var raw = new ClientWebSocket();
        var endpoint = new Uri($"ws://127.0.0.1:{Server.Process.Port}/v1/websocket");
        await Assert.ThrowsAsync<WebSocketException>(() => raw.ConnectAsync(endpoint, CancellationToken.None));
    }

    [Fact]
    public async Task A_second_connection_of_the_same_device_replaces_the_first()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        using var first = await ConnectRawAsync(alice);
        using var second = await ConnectRawAsync(alice);
        Assert.Equal((WebSocketCloseStatus)4001, await ReadUntilClosedAsync(first));
    }

    [Fact]
    public async Task An_ack_without_a_request_id_gets_no_answer_but_still_deletes_and_tells_the_sender()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        using var bobRaw = await ConnectRawAsync(bob);
        Assert.Equal(ServerFrame.BodyOneofCase.QueueDrained, (await ReadServerFrameAsync(bobRaw)).BodyCase);
        var hello = TestUser.MessageTo(bob, "no answer needed");
        await aliceSocket.SendAsync(hello);
        var atBob = await ReadServerFrameAsync(bobRaw);
        Assert.Equal(hello.MessageId, atBob.Envelope.MessageId);

        // Request id 0: "no answer wanted" (websocket.proto).
        await bobRaw.SendAsync(new ClientFrame { Ack = new AckEnvelopes { EnvelopeIds = { atBob.Envelope.Id } } }.ToByteArray(),
            WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

        Assert.Equal(EnvelopeType.DeliveryReceipt, (await Expect.EnvelopeAsync(aliceSocket, "the delivery receipt at Alice")).Type);
        await Task.Delay(300); // an answer to the ack would have been queued by now
        await bobRaw.SendAsync(new ClientFrame { RequestId = 7, Ping = new Ping() }.ToByteArray(),
            WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        var beforePong = new List<ServerFrame.BodyOneofCase>();
        for (var frame = await ReadServerFrameAsync(bobRaw); frame.RequestId != 7; frame = await ReadServerFrameAsync(bobRaw))
        {
            beforePong.Add(frame.BodyCase);
        }
        Assert.Empty(beforePong);

        bobRaw.Abort();
        var bobAgain = await bob.ConnectAsync();
        await Expect.NothingAsync(bobAgain, TimeSpan.FromMilliseconds(500), "acked envelope sent again");
    }

    private static async Task<ServerFrame> ReadServerFrameAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Expect.Timeout);
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            length += result.Count;
            if (result.EndOfMessage)
            {
                return ServerFrame.Parser.ParseFrom(buffer, 0, length);
            }
        }
    }

    private async Task<ClientWebSocket> ConnectRawAsync(TestUser user)
    {
        var raw = new ClientWebSocket();
        raw.Options.SetRequestHeader("Authorization", user.Credentials.ToAuthorizationHeader().ToString());
        await raw.ConnectAsync(new Uri($"ws://127.0.0.1:{Server.Process.Port}/v1/websocket"), CancellationToken.None);
        return raw;
    }

    private static async Task<WebSocketCloseStatus?> ReadUntilClosedAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Expect.Timeout);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return socket.CloseStatus;
            }
        }
    }
}

public sealed class WireProtocolTestsOnSqlite(SqliteServerFixture fixture) : WireProtocolTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class WireProtocolTestsOnPostgres(PostgresServerFixture fixture) : WireProtocolTests(fixture), IClassFixture<PostgresServerFixture>;
