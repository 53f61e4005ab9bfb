using System.Text;
using Parley.Client.Api;
using Parley.Client.Tests.Infrastructure;
using Parley.Protocol.Rest;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Groups;

/// <summary>
/// Group photos, end to end encrypted: the server keeps a blob only members may fetch and nobody can
/// read; the key reaches members inside the group's encrypted messages.
/// </summary>
public sealed class GroupPhotoTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private ParleyServer Server => fixture.Server;

    private static byte[] Jpeg(string marker) => [0xFF, 0xD8, 0xFF, 0xE0, .. Encoding.ASCII.GetBytes(marker)];

    private List<string> FilesContaining(string marker) => Directory.EnumerateFiles(Server.DataDirectory, "*", SearchOption.AllDirectories)
        .Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)) >= 0).ToList();

    private int BlobCount()
    {
        var blobs = Path.Combine(Server.DataDirectory, "media", "blobs");
        return Directory.Exists(blobs) ? Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Count() : 0;
    }

    /// <summary>Completes when <paramref name="device"/> has received the key of <paramref name="groupId"/>'s photo.</summary>
    private static Task PhotoKeyArrivalAsync(TestDevice device, string groupId)
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        device.Client.GroupPhotoChanged += id =>
        {
            if (id == groupId)
            {
                arrived.TrySetResult();
            }
        };
        return arrived.Task.WaitAsync(TestDevice.Timeout);
    }

    [Fact]
    public async Task Members_see_the_photo_a_member_sets_and_members_added_later_get_its_key_while_the_server_holds_only_ciphertext()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        await using var carol = await TestDevice.RegisterAsync(Server);
        var group = await alice.Client.CreateGroupAsync("Hiking", [bob.Number]);
        await bob.Client.RefreshGroupsAsync();
        Assert.Null(await bob.Client.GetGroupPhotoAsync(group.GroupId));

        var marker = $"group-photo-{Guid.NewGuid():N}";
        var photo = Jpeg(marker);
        var bobGetsKey = PhotoKeyArrivalAsync(bob, group.GroupId);
        var updated = await alice.Client.SetGroupPhotoAsync(group.GroupId, photo);
        Assert.Matches("^[0-9a-f]{64}$", updated.Picture);
        Assert.Equal(photo, await alice.Client.GetGroupPhotoAsync(group.GroupId));
        await bobGetsKey;
        Assert.Equal(photo, await bob.Client.GetGroupPhotoAsync(group.GroupId));
        Assert.Empty(await bob.Client.GetGroupHistoryAsync(group.GroupId)); // a photo change, not a chat message
        Assert.Empty(FilesContaining(marker));

        // Not a member: the server does not hand out the blob.
        Assert.Null(await Server.NewApi().GetGroupPhotoAsync(carol.Client.Account.Credentials, group.GroupId)); // 404, as for a group without photo
        Assert.NotNull(await Server.NewApi().GetGroupPhotoAsync(bob.Client.Account.Credentials, group.GroupId));

        // Carol, added later, gets the key with Alice's sender key, before anyone writes.
        var carolGetsKey = PhotoKeyArrivalAsync(carol, group.GroupId);
        await alice.Client.AddGroupMembersAsync(group.GroupId, [carol.Number]);
        await carolGetsKey;
        Assert.Equal(photo, await carol.Client.GetGroupPhotoAsync(group.GroupId));

        // A plain image is refused by the server; removing the photo removes it for everyone.
        var plain = await Assert.ThrowsAsync<ParleyApiException>(() =>
            Server.NewApi().SetGroupPhotoAsync(bob.Client.Account.Credentials, group.GroupId, Jpeg("plain")));
        Assert.Equal((415, ErrorCodes.InvalidImage), ((int)plain.Status, plain.Code));
        var removed = await alice.Client.RemoveGroupPhotoAsync(group.GroupId);
        await bob.Client.RefreshGroupAsync(group.GroupId);
        Assert.Null(await bob.Client.GetGroupPhotoAsync(group.GroupId));
        Assert.Equal(removed.Version, (await alice.Client.RemoveGroupPhotoAsync(group.GroupId)).Version); // removing none changes nothing
    }

    [Fact]
    public async Task Only_admins_change_the_photo_when_only_admins_edit_the_info()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        var group = await alice.Client.CreateGroupAsync("Board", [bob.Number]);
        await alice.Client.UpdateGroupAsync(group.GroupId, new UpdateGroupRequest(OnlyAdminsEditInfo: true));
        await bob.Client.RefreshGroupsAsync();

        var blobs = BlobCount();
        var refused = await Assert.ThrowsAsync<ParleyApiException>(() => bob.Client.SetGroupPhotoAsync(group.GroupId, Jpeg("bob's")));
        Assert.Equal(403, (int)refused.Status);
        Assert.Equal("", (await bob.Client.RefreshGroupAsync(group.GroupId)).Picture);
        Assert.Equal(blobs, BlobCount()); // the refused photo's blob was not kept

        var notAnImage = await Assert.ThrowsAsync<ArgumentException>(() => alice.Client.SetGroupPhotoAsync(group.GroupId, "hello"u8.ToArray()));
        Assert.Equal("image", notAnImage.ParamName);
        var settingPicture = await Assert.ThrowsAsync<ParleyApiException>(() =>
            alice.Client.UpdateGroupAsync(group.GroupId, new UpdateGroupRequest(Picture: "anything")));
        Assert.Equal(400, (int)settingPicture.Status);
    }
}
