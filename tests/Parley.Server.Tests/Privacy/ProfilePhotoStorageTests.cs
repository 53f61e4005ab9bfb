using System.Security.Cryptography;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Privacy;

/// <summary>
/// Profile photos (encrypted by the client under its profile key) live in the media store under their
/// content address (not in the database), and a replaced or removed photo's blob is deleted from the disk.
/// </summary>
public abstract class ProfilePhotoStorageTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task A_photo_is_a_blob_in_the_media_store_and_replacing_or_removing_it_deletes_the_old_blob()
    {
        await using var me = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var friend = await TestUser.RegisterAsync(Server, preKeys: 0);
        var first = await EncryptedPhotos.CreateAsync("first");
        var second = await EncryptedPhotos.CreateAsync("second");

        await me.Api.SetProfilePhotoAsync(me.Credentials, first, "image/jpeg");
        Assert.Equal(first, await friend.Api.GetProfilePhotoAsync(friend.Credentials, me.AccountId));
        Assert.Equal(first, await File.ReadAllBytesAsync(BlobPath(first)));

        await me.Api.SetProfilePhotoAsync(me.Credentials, second, "image/jpeg");
        Assert.Equal(second, await friend.Api.GetProfilePhotoAsync(friend.Credentials, me.AccountId));
        Assert.True(File.Exists(BlobPath(second)));
        Assert.False(File.Exists(BlobPath(first)), "the replaced photo's blob should be gone");

        await me.Api.RemoveProfilePhotoAsync(me.Credentials);
        Assert.Null(await friend.Api.GetProfilePhotoAsync(friend.Credentials, me.AccountId));
        Assert.False((await friend.Api.GetProfileAsync(friend.Credentials, me.AccountId)).HasPhoto);
        Assert.False(File.Exists(BlobPath(second)), "the removed photo's blob should be gone");
    }

    [Fact]
    public async Task Two_accounts_with_the_same_photo_share_one_blob_until_both_replaced_it()
    {
        await using var alice = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        var shared = await EncryptedPhotos.CreateAsync("shared");
        await alice.Api.SetProfilePhotoAsync(alice.Credentials, shared, "image/jpeg");
        await bob.Api.SetProfilePhotoAsync(bob.Credentials, shared, "image/jpeg");

        await alice.Api.SetProfilePhotoAsync(alice.Credentials, await EncryptedPhotos.CreateAsync("alice's own"), "image/jpeg");
        Assert.Equal(shared, await alice.Api.GetProfilePhotoAsync(alice.Credentials, bob.AccountId));
        await bob.Api.RemoveProfilePhotoAsync(bob.Credentials);
        Assert.False(File.Exists(BlobPath(shared)));
    }

    private string BlobPath(byte[] photo)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(photo));
        return Path.Combine(Server.DataDirectory, "media", "blobs", id[..2], id);
    }
}

public sealed class ProfilePhotoStorageTestsOnSqlite(SqliteServerFixture fixture) : ProfilePhotoStorageTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class ProfilePhotoStorageTestsOnPostgres(PostgresServerFixture fixture) : ProfilePhotoStorageTests(fixture), IClassFixture<PostgresServerFixture>;
