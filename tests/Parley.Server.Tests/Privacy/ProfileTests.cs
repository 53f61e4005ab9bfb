using Parley.Client.Api;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Privacy;

/// <summary>Name, about and photo: validated on the way in, announced to watchers on change.</summary>
public abstract class ProfileTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Watchers_hear_of_profile_changes_and_see_the_new_name()
    {
        await using var me = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var friend = await TestUser.RegisterAsync(Server, preKeys: 0);
        var watcher = await friend.ConnectAsync();
        await watcher.SubscribePresenceAsync([me.AccountId]);

        var first = await me.Api.UpdateProfileAsync(me.Credentials, new UpdateProfileRequest("  Marta  ", "Hi there"));
        var changed = (await Expect.SignalAsync(watcher, "the profile change")).ProfileChanged;
        Assert.Equal((me.AccountId, first.Version), (changed.AccountId, changed.Version));
        var second = await me.Api.UpdateProfileAsync(me.Credentials, new UpdateProfileRequest(null, "Away"));
        Assert.True(second.Version > first.Version);
        Assert.Equal(ServerFrame.BodyOneofCase.ProfileChanged, (await Expect.SignalAsync(watcher, "the second change")).BodyCase);

        var seen = await friend.Api.GetProfileAsync(friend.Credentials, me.AccountId);
        Assert.Equal(new ProfileResponse(me.AccountId, "Marta", "Away", false, second.Version), seen);
    }

    [Fact]
    public async Task Bad_names_texts_and_photos_are_refused_and_the_profile_stays_as_it_was()
    {
        await using var me = await TestUser.RegisterAsync(Server, preKeys: 0);
        await me.Api.UpdateProfileAsync(me.Credentials, new UpdateProfileRequest("Kept", "Kept too"));
        foreach (var bad in new[] { new UpdateProfileRequest("   ", null), new UpdateProfileRequest(new string('x', 26), null),
            new UpdateProfileRequest(null, new string('y', 140)), new UpdateProfileRequest("Tab\tName", null) })
        {
            Assert.Equal(ErrorCodes.InvalidRequest,
                (await Assert.ThrowsAsync<ParleyApiException>(() => me.Api.UpdateProfileAsync(me.Credentials, bad))).Code);
        }
        var notAnImage = await Assert.ThrowsAsync<ParleyApiException>(() =>
            me.Api.SetProfilePhotoAsync(me.Credentials, "GIF89a not allowed"u8.ToArray(), "image/jpeg"));
        Assert.Equal((415, ErrorCodes.InvalidImage), ((int)notAnImage.Status, notAnImage.Code));
        var huge = new byte[5 * 1024 * 1024 + 1];
        huge[0] = 0xFF; huge[1] = 0xD8; huge[2] = 0xFF;
        var tooLarge = await Assert.ThrowsAsync<ParleyApiException>(() => me.Api.SetProfilePhotoAsync(me.Credentials, huge, "image/jpeg"));
        Assert.Equal(413, (int)tooLarge.Status);

        Assert.Equal(new ProfileResponse(me.AccountId, "Kept", "Kept too", false, 1), await me.Api.GetProfileAsync(me.Credentials, me.AccountId));
        Assert.Equal(ErrorCodes.UnknownAccount,
            (await Assert.ThrowsAsync<ParleyApiException>(() => me.Api.GetProfileAsync(me.Credentials, Guid.NewGuid().ToString()))).Code);
    }
}

public sealed class ProfileTestsOnSqlite(SqliteServerFixture fixture) : ProfileTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class ProfileTestsOnPostgres(PostgresServerFixture fixture) : ProfileTests(fixture), IClassFixture<PostgresServerFixture>;
