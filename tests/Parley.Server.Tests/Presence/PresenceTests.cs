using Parley.Client.Transport;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Groups;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Presence;

/// <summary>Online / last seen and typing indicators: real time, never stored.</summary>
public abstract class PresenceTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Subscriber_sees_a_contact_come_online_and_go_offline_with_last_seen()
    {
        await using var alice = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        var aliceSocket = await alice.ConnectAsync();

        var initial = Assert.Single(await aliceSocket.SubscribePresenceAsync([bob.AccountId]));
        Assert.False(initial.Online);
        Assert.Equal(0, initial.LastSeen);

        var bobSocket = await bob.ConnectAsync();
        var online = (await Expect.SignalAsync(aliceSocket, "Bob coming online")).Presence;
        Assert.Equal(bob.AccountId, online.AccountId);
        Assert.True(online.Online);

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await bobSocket.DisposeAsync();
        var offline = (await Expect.SignalAsync(aliceSocket, "Bob going offline")).Presence;
        Assert.False(offline.Online);
        Assert.InRange(offline.LastSeen, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);

        await aliceSocket.DisposeAsync();
        var later = await (await alice.ConnectAsync()).SubscribePresenceAsync([bob.AccountId]);
        Assert.Equal(offline.LastSeen, Assert.Single(later).LastSeen);
    }

    [Fact]
    public async Task A_contact_who_left_before_anyone_watched_shows_when_they_were_last_seen()
    {
        await using var alice = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var bobSocket = await bob.ConnectAsync();
        await bobSocket.DisposeAsync();
        await Task.Delay(500); // the server notices the disconnect

        var aliceSocket = await alice.ConnectAsync();
        var seen = Assert.Single(await aliceSocket.SubscribePresenceAsync([bob.AccountId]));
        Assert.False(seen.Online);
        Assert.InRange(seen.LastSeen, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task A_device_reconnecting_does_not_flicker_offline()
    {
        await using var alice = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        var bobFirst = await bob.ConnectAsync();
        var aliceSocket = await alice.ConnectAsync();
        Assert.True(Assert.Single(await aliceSocket.SubscribePresenceAsync([bob.AccountId])).Online);

        var bobSecond = await bob.ConnectAsync(); // replaces the first connection of the same device

        await Expect.NoSignalAsync(aliceSocket, TimeSpan.FromMilliseconds(500), "presence change while Bob stays connected");
        await bobSecond.DisposeAsync();
        await bobFirst.DisposeAsync();
        Assert.False((await Expect.SignalAsync(aliceSocket, "Bob going offline")).Presence.Online);
    }

    [Fact]
    public async Task Typing_reaches_the_recipient_at_most_every_two_seconds_and_is_never_stored()
    {
        await using var alice = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        var aliceSocket = await alice.ConnectAsync();
        var bobSocket = await bob.ConnectAsync();

        for (var i = 0; i < 5; i++)
        {
            await aliceSocket.SendTypingAsync(TypingState.Typing, recipientAccount: bob.AccountId);
        }
        await aliceSocket.SendTypingAsync(TypingState.Stopped, recipientAccount: bob.AccountId);

        var typing = (await Expect.SignalAsync(bobSocket, "Alice typing")).Typing;
        Assert.Equal(alice.AccountId, typing.FromAccount);
        Assert.Equal(TypingState.Typing, typing.State);
        Assert.True(typing.ExpiresInMs > 0);
        Assert.Equal(TypingState.Stopped, (await Expect.SignalAsync(bobSocket, "Alice stopped typing")).Typing.State);
        await Expect.NoSignalAsync(bobSocket, TimeSpan.FromMilliseconds(300), "more typing frames (throttled)");
        Assert.Equal(0, await Server.ScalarAsync("SELECT COUNT(*) FROM envelopes WHERE account_id = @a", ("a", bob.AccountId)));
    }

    [Fact]
    public async Task Group_typing_reaches_the_other_members_and_non_members_are_refused()
    {
        await using var alice = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var mallory = await TestUser.RegisterAsync(Server, preKeys: 0);
        var aliceSocket = await alice.ConnectAsync();
        var bobSocket = await bob.ConnectAsync();
        var mallorySocket = await mallory.ConnectAsync();
        var group = (await new GroupClient(Server.BaseAddress, alice.Credentials).CreateAsync("Typing club", bob.AccountId)).Value!;

        await aliceSocket.SendTypingAsync(TypingState.Recording, groupId: group.GroupId);
        var atBob = (await Expect.SignalAsync(bobSocket, "Alice recording in the group")).Typing;
        Assert.Equal(group.GroupId, atBob.GroupId);
        Assert.Equal(TypingState.Recording, atBob.State);
        await Expect.NoSignalAsync(aliceSocket, TimeSpan.FromMilliseconds(200), "her own typing indicator");

        await mallorySocket.SendTypingAsync(TypingState.Typing, groupId: group.GroupId);
        var refused = await mallorySocket.UnsolicitedErrors.Reader.ReadAsync().AsTask().WaitAsync(Expect.Timeout);
        Assert.Equal(ErrorCode.NotAMember, refused.Code);
        await Expect.NoSignalAsync(bobSocket, TimeSpan.FromMilliseconds(300), "a non-member's typing indicator");
    }
}

public sealed class PresenceTestsOnSqlite(SqliteServerFixture fixture) : PresenceTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PresenceTestsOnPostgres(PostgresServerFixture fixture) : PresenceTests(fixture), IClassFixture<PostgresServerFixture>;
