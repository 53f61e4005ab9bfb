using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Client.Transport;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Server.Tests.Groups;

/// <summary>WhatsApp's largest group: 1,024 members, one message, every member device gets it.</summary>
public abstract class LargeGroupTests(ServerFixture fixture, ITestOutputHelper output)
{
    private const int Members = 1024;

    [Fact]
    public async Task Message_to_a_1024_member_group_reaches_every_member_device()
    {
        var server = fixture.Server;
        var users = new TestUser[Members];
        var registering = Stopwatch.StartNew();
        using (var gate = new SemaphoreSlim(16))
        {
            await Task.WhenAll(Enumerable.Range(0, Members).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    users[i] = await TestUser.RegisterAsync(server, preKeys: 0);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        output.WriteLine($"registered {Members} users through the API in {registering.Elapsed.TotalSeconds:F1} s");
        var sockets = await Task.WhenAll(users.Select(u => u.ConnectAsync()));
        var creator = users[0];
        var groups = new GroupClient(server.BaseAddress, creator.Credentials);
        var (group, problem) = await groups.CreateAsync("Everyone", [.. users.Skip(1).Select(u => u.AccountId)]);
        Assert.Null(problem);
        Assert.Equal(Members, group!.Members.Count);
        var tooMany = await TestUser.RegisterAsync(server, preKeys: 0);
        Assert.Equal(Protocol.Rest.ErrorCodes.GroupFull, (await groups.AddAsync(group.GroupId, tooMany.AccountId)).Problem?.Code);

        // The first message also pays for cold caches and JIT; the second shows the steady state.
        for (var round = 1; round <= 2; round++)
        {
            var message = new SendGroupMessage
            {
                GroupId = group.GroupId,
                MessageId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)),
                ClientTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                Content = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(256)),
            };
            var receivers = sockets.Skip(1).Select(WaitForGroupMessageAsync).ToList();
            var fanOut = Stopwatch.StartNew();
            var result = (await sockets[0].RequestAsync(new ClientFrame { SendGroup = message })).SendResult;
            var stored = fanOut.Elapsed;
            var arrivals = await Task.WhenAll(receivers);
            var lastArrival = fanOut.Elapsed;

            Assert.Equal((uint)(Members - 1), result.RecipientDevices);
            Assert.All(arrivals, envelope => Assert.Equal(message.MessageId, envelope.MessageId));
            output.WriteLine($"{server.Kind}, message {round}: fan-out to {Members - 1} member devices: stored (sent tick) after " +
                $"{stored.TotalMilliseconds:F0} ms, last recipient after {lastArrival.TotalMilliseconds:F0} ms");
        }
        foreach (var user in users.Append(tooMany))
        {
            await user.DisposeAsync();
        }
    }

    private static async Task<Envelope> WaitForGroupMessageAsync(ParleyConnection socket)
    {
        while (true)
        {
            var envelope = await socket.NextEnvelopeAsync(TimeSpan.FromSeconds(60));
            Assert.True(envelope is not null, "Expected the group message at every member within 60 s.");
            if (envelope!.Type == EnvelopeType.SenderKeyMessage)
            {
                return envelope;
            }
        }
    }
}

public sealed class LargeGroupTestsOnSqlite(SqliteServerFixture fixture, ITestOutputHelper output)
    : LargeGroupTests(fixture, output), IClassFixture<SqliteServerFixture>;

public sealed class LargeGroupTestsOnPostgres(PostgresServerFixture fixture, ITestOutputHelper output)
    : LargeGroupTests(fixture, output), IClassFixture<PostgresServerFixture>;
