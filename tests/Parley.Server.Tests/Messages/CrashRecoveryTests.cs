using System.Collections.Concurrent;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Messages;

/// <summary>A server killed at any moment loses nothing it acknowledged as "sent".</summary>
public abstract class CrashRecoveryTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Server_killed_mid_stream_and_restarted_loses_no_acked_envelope()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        var sentBeforeKill = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<string>();
        var results = new ConcurrentDictionary<string, string>();
        long killedAt = 0;
        var killed = 0;
        var killer = Task.Run(async () =>
        {
            // Kill -9 once a good part is acked, while the rest is queued or mid-commit.
            while (sentBeforeKill.Count < 150)
            {
                await Task.Delay(1);
            }
            Volatile.Write(ref killed, 1);
            await Server.Process.KillAsync();
            killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        });
        var sends = new List<Task>();
        for (var i = 0; i < 600; i++)
        {
            var text = $"message {i}";
            sends.Add(aliceSocket.SendAsync(TestUser.MessageTo(bob, text)).ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    results[text] = $"envelope {t.Result.EnvelopeIds[0]} at {t.Result.ServerTimestamp}, killed={Volatile.Read(ref killed)}";
                }
                if (t.IsCompletedSuccessfully && Volatile.Read(ref killed) == 0)
                {
                    sentBeforeKill.Add(text);
                }
                if (!t.IsCompletedSuccessfully)
                {
                    failures.Add($"{text}: {(t.IsCanceled ? "canceled" : t.Exception!.InnerException)}");
                }
            }, TaskScheduler.Default));
            if (i % 10 == 9)
            {
                await Task.Delay(2); // a steady stream rather than one burst
            }
        }
        await killer.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEmpty(sentBeforeKill);

        await Server.Process.StartAsync();
        // The SDK re-sends whatever was not acknowledged, on its new connection.
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(failures.IsEmpty, $"Sends failed after the restart instead of being retried: {string.Join("; ", failures.Take(3))}");

        var bobSocket = await bob.ConnectAsync(waitForBacklog: false);
        var received = new HashSet<string>(); // de-duplicated by content, as clients do by message id
        while (received.Count < 600)
        {
            var envelope = await bobSocket.NextEnvelopeAsync(Expect.Timeout);
            if (envelope is null)
            {
                break;
            }
            received.Add(envelope.Content.ToStringUtf8());
        }
        var lost = sentBeforeKill.Where(text => !received.Contains(text)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {sentBeforeKill.Count} messages acked as sent before the kill were lost: {string.Join(", ", lost.Take(5))}");
        var missing = Enumerable.Range(0, 600).Select(i => $"message {i}").Where(text => !received.Contains(text)).ToList();
        var ids = await Server.ScalarAsync("SELECT MAX(id) FROM envelopes WHERE account_id = @a", ("a", bob.AccountId));
        Assert.True(missing.Count == 0, $"{missing.Count} messages acked as sent after the restart never arrived: " +
            string.Join(", ", missing.Take(5).Select(m => $"{m} ({results.GetValueOrDefault(m)})")) + $"; killed at {killedAt}, max id {ids}");
    }
}

public sealed class CrashRecoveryTestsOnSqlite(SqliteServerFixture fixture) : CrashRecoveryTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class CrashRecoveryTestsOnPostgres(PostgresServerFixture fixture) : CrashRecoveryTests(fixture), IClassFixture<PostgresServerFixture>;
