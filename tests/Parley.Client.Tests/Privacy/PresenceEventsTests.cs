using System.Threading.Channels;
using Parley.Client.Messaging;
using Parley.Client.Tests.Devices;
using Parley.Client.Tests.Infrastructure;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Privacy;

/// <summary>What a chat header shows — online, last seen, typing…, the contact's name — through the SDK's events.</summary>
public sealed class PresenceEventsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private static async Task<T> NextAsync<T>(Channel<T> events, string what)
    {
        using var timeout = new CancellationTokenSource(TestDevice.Timeout);
        try
        {
            return await events.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"Expected {what} within {TestDevice.Timeout.TotalSeconds} s, but it did not come.");
        }
    }

    private static Channel<PresenceInfo> PresenceEvents(TestDevice device)
    {
        var events = Channel.CreateUnbounded<PresenceInfo>();
        device.Client.PresenceChanged += p => events.Writer.TryWrite(p);
        return events;
    }

    [Fact]
    public async Task Online_lasts_while_any_device_is_connected_and_watching_survives_a_reconnect()
    {
        await using var server = await ParleyServer.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
        {
            ["Parley:Devices:LinkAttemptsPerIpPerMinute"] = "1000",
        });
        await using var alice = await TestDevice.RegisterAsync(server);
        await using var bob = await TestDevice.RegisterAsync(server);
        await using var laptop = await LinkedDevices.LinkAsync(bob);
        var events = PresenceEvents(alice);
        var now = Assert.Single(await alice.Client.WatchPresenceAsync([bob.Number]));
        Assert.Equal((bob.Number, true), (now.Number, now.Online));

        await bob.CloseAsync(); // the phone goes away, the laptop stays
        using (var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(700)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events.Reader.ReadAsync(quiet.Token).AsTask());
        }
        var closedAt = DateTimeOffset.UtcNow;
        await laptop.CloseAsync();
        var offline = await NextAsync(events, "Bob going offline when his last device disconnects");
        Assert.False(offline.Online);
        Assert.InRange(offline.LastSeen!.Value, closedAt.AddSeconds(-2), DateTimeOffset.UtcNow.AddSeconds(2));

        // The server restarts: Alice's app reconnects by itself and keeps watching Bob.
        await server.Process.RestartAsync();
        await bob.OpenAsync();
        PresenceInfo seen;
        do
        {
            seen = await NextAsync(events, "Bob online again, seen through Alice's reconnected watch");
        }
        while (!seen.Online);
    }

    [Fact]
    public async Task A_typing_indicator_that_is_not_refreshed_ends_by_itself()
    {
        await using var alice = await TestDevice.RegisterAsync(fixture.Server);
        await using var bob = await TestDevice.RegisterAsync(fixture.Server);
        var typing = Channel.CreateUnbounded<(TypingInfo Info, DateTimeOffset At)>();
        alice.Client.TypingChanged += t => typing.Writer.TryWrite((t, DateTimeOffset.UtcNow));
        await alice.SendAsync(bob, "hi"); // Alice knows Bob's number from now on
        await bob.NextMessageAsync("Alice's hello");

        await bob.Client.SendTypingAsync(alice.Number, TypingState.Typing); // …and then Bob's app dies without "stopped"
        var started = await NextAsync(typing, "Bob typing");
        Assert.Equal((TypingState.Typing, bob.Number, (string?)null), (started.Info.State, started.Info.Number, started.Info.GroupId));
        var ended = await NextAsync(typing, "the indicator ending by itself");
        Assert.Equal(TypingState.Stopped, ended.Info.State);
        Assert.InRange((ended.At - started.At).TotalSeconds, started.Info.ExpiresIn.TotalSeconds - 0.5, started.Info.ExpiresIn.TotalSeconds + 3);

        await bob.Client.SendTypingAsync(alice.Number, TypingState.Recording);
        Assert.Equal(TypingState.Recording, (await NextAsync(typing, "Bob recording")).Info.State);
        await bob.Client.SendTypingAsync(alice.Number, TypingState.Stopped);
        Assert.Equal(TypingState.Stopped, (await NextAsync(typing, "Bob stopping")).Info.State);
        using var quiet = new CancellationTokenSource(started.Info.ExpiresIn + TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => typing.Reader.ReadAsync(quiet.Token).AsTask()); // no second "stopped"
    }

    [Fact]
    public async Task A_watched_contact_changing_their_profile_raises_an_event_and_the_new_profile_reads_back()
    {
        await using var alice = await TestDevice.RegisterAsync(fixture.Server);
        await using var bob = await TestDevice.RegisterAsync(fixture.Server);
        var changes = Channel.CreateUnbounded<ProfileChangedInfo>();
        alice.Client.ProfileChanged += c => changes.Writer.TryWrite(c);
        await alice.Client.WatchPresenceAsync([bob.Number]);

        await bob.Client.SetProfileAsync("Bob B.", "Out fishing");
        var changed = await NextAsync(changes, "Bob's profile change");
        Assert.Equal(bob.Number, changed.Number);
        var profile = await alice.Client.GetProfileAsync(bob.Number);
        Assert.Equal(("Bob B.", "Out fishing", changed.Version), (profile.Name, profile.About, profile.Version));
    }
}
