using Parley.Client.Api;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Groups;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Privacy;

/// <summary>Blocking, as WhatsApp does it: the blocked account notices nothing, and gets nothing.</summary>
public abstract class BlockingTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Blocked_messages_get_one_tick_and_are_never_delivered_not_even_after_unblocking()
    {
        await using var me = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var pest = await TestUser.RegisterAsync(Server, preKeys: 0);
        await me.Api.BlockAsync(me.Credentials, pest.Number);
        var mySocket = await me.ConnectAsync();
        var pestSocket = await pest.ConnectAsync();

        var sent = await pestSocket.SendAsync(TestUser.MessageTo(me, "let me in"));
        Assert.True(sent.ServerTimestamp > 0); // accepted: the sender sees "sent"
        await pestSocket.SendTypingAsync(TypingState.Typing, recipientAccount: me.AccountId);
        await Expect.NothingAsync(mySocket, TimeSpan.FromMilliseconds(700), "message from a blocked number");
        await Expect.NoSignalAsync(mySocket, TimeSpan.FromMilliseconds(100), "typing from a blocked number");
        await Expect.NothingAsync(pestSocket, TimeSpan.FromMilliseconds(100), "delivery receipt for a message to someone who blocked you");

        await me.Api.UnblockAsync(me.Credentials, pest.Number);
        await mySocket.DisposeAsync();
        mySocket = await me.ConnectAsync();
        await pestSocket.SendAsync(TestUser.MessageTo(me, "sorry"));
        var arrived = await Expect.EnvelopeAsync(mySocket, "the message sent after unblocking");
        Assert.Equal("sorry", arrived.Content.ToStringUtf8()); // and not "let me in"
        // The blocked message was never stored: only "sorry" (not acked yet) is queued for me.
        Assert.Equal(1, await Server.ScalarAsync("SELECT COUNT(*) FROM envelopes WHERE account_id = @a", ("a", me.AccountId)));
    }

    [Fact]
    public async Task A_blocked_account_sees_no_presence_photo_or_about_and_cannot_add_you_to_groups_until_unblocked()
    {
        await using var me = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var pest = await TestUser.RegisterAsync(Server, preKeys: 0);
        await me.Api.UpdateProfileAsync(me.Credentials, new UpdateProfileRequest("Me", "Busy"));
        await me.Api.SetProfilePhotoAsync(me.Credentials, await EncryptedPhotos.CreateAsync("mine"), "application/octet-stream");
        await me.ConnectAsync();
        var pestSocket = await pest.ConnectAsync();
        Assert.True(Assert.Single(await pestSocket.SubscribePresenceAsync([me.AccountId])).Online);

        await me.Api.BlockAsync(me.Credentials, pest.Number);
        Assert.False((await Expect.SignalAsync(pestSocket, "my presence disappearing for the blocked account")).Presence.Online);
        var profile = await pest.Api.GetProfileAsync(pest.Credentials, me.AccountId);
        Assert.Null(profile.About);
        Assert.False(profile.HasPhoto);
        Assert.Null(await pest.Api.GetProfilePhotoAsync(pest.Credentials, me.AccountId));
        var groups = new GroupClient(Server.BaseAddress, pest.Credentials);
        Assert.Equal(new ProblemResult(403, ErrorCodes.GroupAddNotAllowed), (await groups.CreateAsync("Spam", me.AccountId)).Problem);
        Assert.Equal([pest.Number], (await me.Api.GetBlockedAsync(me.Credentials)).Blocked.Select(b => b.Number));

        await me.Api.UnblockAsync(me.Credentials, pest.Number);
        Assert.True((await Expect.SignalAsync(pestSocket, "my presence visible again")).Presence.Online);
        Assert.Equal("Busy", (await pest.Api.GetProfileAsync(pest.Credentials, me.AccountId)).About);
        Assert.NotNull((await groups.CreateAsync("Friends again", me.AccountId)).Value);
        Assert.Empty((await me.Api.GetBlockedAsync(me.Credentials)).Blocked);
    }

    [Fact]
    public async Task Blocking_bad_numbers_or_yourself_is_refused_clearly()
    {
        await using var me = await TestUser.RegisterAsync(Server, preKeys: 0);
        Assert.Equal(ErrorCodes.InvalidNumber, (await Assert.ThrowsAsync<ParleyApiException>(() => me.Api.BlockAsync(me.Credentials, "12345"))).Code);
        Assert.Equal(ErrorCodes.UnknownAccount,
            (await Assert.ThrowsAsync<ParleyApiException>(() => me.Api.BlockAsync(me.Credentials, TestUser.NewNumber()))).Code);
        Assert.Equal(ErrorCodes.InvalidRequest, (await Assert.ThrowsAsync<ParleyApiException>(() => me.Api.BlockAsync(me.Credentials, me.Number))).Code);
    }
}

public sealed class BlockingTestsOnSqlite(SqliteServerFixture fixture) : BlockingTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class BlockingTestsOnPostgres(PostgresServerFixture fixture) : BlockingTests(fixture), IClassFixture<PostgresServerFixture>;
