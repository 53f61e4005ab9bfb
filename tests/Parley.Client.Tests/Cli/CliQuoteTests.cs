using System.Text.Json;
using Parley.Server.Tests.Infrastructure;
using static Parley.Client.Tests.Cli.CliProfiles;

namespace Parley.Client.Tests.Cli;

/// <summary>Replies from the terminal: `send --reply-to` quotes a message, `receive` and `history` show the quote.</summary>
public sealed class CliQuoteTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly CliProfiles _profiles = new(fixture.Server, "quote");

    [Fact]
    public async Task ReplyWithReplyTo_ShowsTheQuotedLineBeforeTheTextOnBothSides()
    {
        var (alice, aliceNumber) = await _profiles.RegisterAsync("alice");
        var (bob, bobNumber) = await _profiles.RegisterAsync("bob");
        Expect(0, await RunAsync(alice, "send", bobNumber, "Dinner at 8?"));
        var id = JsonDocument.Parse(Expect(0, await RunAsync(bob, "receive", "--timeout", "1", "--json")).Stdout).RootElement.GetProperty("id").GetString()!;

        Assert.Equal("sent", Expect(0, await RunAsync(bob, "send", aliceNumber, "Make it 9", "--reply-to", id)).Stdout);

        Assert.Equal(["> me: Dinner at 8?", $"{bobNumber}: Make it 9"], Lines(Expect(0, await RunAsync(alice, "receive", "--timeout", "1")).Stdout));
        var bobHistory = Lines(Expect(0, await RunAsync(bob, "history", aliceNumber)).Stdout);
        Assert.Equal($"> {aliceNumber}: Dinner at 8?", bobHistory[1]);
        Assert.EndsWith("me: Make it 9 [sent]", bobHistory[2], StringComparison.Ordinal);
        Assert.Contains("--reply-to", Expect(1, await RunAsync(bob, "send", aliceNumber, "?", "--reply-to", new string('0', 32))).Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _profiles.Dispose();
}
