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
        // The server must never hold a readable photo: a plain image (or anything not in the encrypted format) is refused.
        byte[] plainJpeg = [0xFF, 0xD8, 0xFF, 0xE0, .. new byte[200]];
        foreach (var notEncrypted in new[] { plainJpeg, "GIF89a not allowed"u8.ToArray(), (await EncryptedPhotos.CreateAsync("cut"))[..^1] })
        {
            var refused = await Assert.ThrowsAsync<ParleyApiException>(() => me.Api.SetProfilePhotoAsync(me.Credentials, notEncrypted, "image/jpeg"));
            Assert.Equal((415, ErrorCodes.InvalidImage), ((int)refused.Status, refused.Code));
            Assert.Contains("encrypted", refused.Message, StringComparison.Ordinal);
        }
        var huge = new byte[5 * 1024 * 1024 + 1];
        huge[0] = 1;
        var tooLarge = await Assert.ThrowsAsync<ParleyApiException>(() => me.Api.SetProfilePhotoAsync(me.Credentials, huge, "image/jpeg"));
        Assert.Equal(413, (int)tooLarge.Status);

        Assert.Equal(new ProfileResponse(me.AccountId, "Kept", "Kept too", false, 1), await me.Api.GetProfileAsync(me.Credentials, me.AccountId));
        Assert.Equal(ErrorCodes.UnknownAccount,
            (await Assert.ThrowsAsync<ParleyApiException>(() => me.Api.GetProfileAsync(me.Credentials, Guid.NewGuid().ToString()))).Code);
    }
}

public sealed class ProfileTestsOnSqlite(SqliteServerFixture fixture) : ProfileTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class ProfileTestsOnPostgres(PostgresServerFixture fixture) : ProfileTests(fixture), IClassFixture<PostgresServerFixture>;
