using System.Text;
using Parley.Client.Tests.Devices;
using Parley.Client.Tests.Groups;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Privacy;

/// <summary>
/// End-to-end encrypted profile photos: the server stores a blob it cannot read, and a photo becomes
/// readable to someone when the owner's profile key reaches them inside a message.
/// </summary>
public sealed class ProfilePhotoTests(LinkingServerFixture fixture) : IClassFixture<LinkingServerFixture>
{
    private ParleyServer Server => fixture.Server;

    /// <summary>PNG magic bytes (what the client checks before encrypting) and a marker to look for on the server's disk.</summary>
    private static byte[] Png(string marker) => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. Encoding.ASCII.GetBytes(marker)];

    private List<string> FilesContaining(string marker) => Directory.EnumerateFiles(Server.DataDirectory, "*", SearchOption.AllDirectories)
        .Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)) >= 0).ToList();

    [Fact]
    public async Task A_photo_is_readable_only_with_the_profile_key_that_comes_with_the_owners_messages()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        var marker = $"alice-photo-{Guid.NewGuid():N}";
        var photo = Png(marker);
        await alice.Client.SetProfilePhotoAsync(photo);

        Assert.Equal(photo, await alice.Client.GetProfilePhotoAsync(alice.Number));
        Assert.Empty(FilesContaining(marker)); // the server's disk holds only ciphertext

        // Bob may see her photo (privacy: everyone) but has no key yet: the server's blob is noise to him.
        Assert.True((await bob.Client.GetProfileAsync(alice.Number)).HasPhoto);
        Assert.Null(await bob.Client.GetProfilePhotoAsync(alice.Number));

        await alice.SendAsync(bob, "hi Bob");
        await bob.NextMessageAsync("Alice's message, carrying her profile key");
        Assert.Equal(photo, await bob.Client.GetProfilePhotoAsync(alice.Number));

        // A new photo is a new blob under the same key: Bob reads it without another message.
        var second = Png($"second-{Guid.NewGuid():N}");
        await alice.Client.SetProfilePhotoAsync(second);
        Assert.Equal(second, await bob.Client.GetProfilePhotoAsync(alice.Number));

        // Not an image: refused before anything is uploaded.
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => alice.Client.SetProfilePhotoAsync("plain text"u8.ToArray()));
        Assert.Equal("image", refused.ParamName);
        Assert.Equal(second, await bob.Client.GetProfilePhotoAsync(alice.Number));
    }

    [Fact]
    public async Task Group_members_learn_each_others_keys_from_group_messages_and_a_linked_device_gets_them_from_the_primary()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        var bobGroups = await GroupObserver.RegisterAsync(Server);
        await using var bob = bobGroups.Device;
        var alicePhoto = Png($"alice-{Guid.NewGuid():N}");
        var bobPhoto = Png($"bob-{Guid.NewGuid():N}");
        await alice.Client.SetProfilePhotoAsync(alicePhoto);
        await bob.Client.SetProfilePhotoAsync(bobPhoto);

        // Alice writes in a group: Bob learns her key there, without a 1:1 chat.
        var group = await alice.Client.CreateGroupAsync("Photos", [bob.Number]);
        await alice.Client.SendGroupTextAsync(group.GroupId, "hello group");
        await bobGroups.NextMessageAsync("Alice's group message");
        Assert.Equal(alicePhoto, await bob.Client.GetProfilePhotoAsync(alice.Number));
        Assert.Null(await alice.Client.GetProfilePhotoAsync(bob.Number)); // Bob has not written yet

        await bob.SendAsync(alice, "hi Alice");
        await alice.NextMessageAsync("Bob's message");
        Assert.Equal(bobPhoto, await alice.Client.GetProfilePhotoAsync(bob.Number));

        // Alice's new laptop: her own key and Bob's come with the history from her phone.
        await using var laptop = await LinkedDevices.LinkAsync(alice);
        Assert.Equal(alicePhoto, await laptop.Client.GetProfilePhotoAsync(alice.Number));
        Assert.Equal(bobPhoto, await laptop.Client.GetProfilePhotoAsync(bob.Number));

        // A photo set on the laptop is under the same key, so Bob reads it too.
        var fromLaptop = Png($"laptop-{Guid.NewGuid():N}");
        await laptop.Client.SetProfilePhotoAsync(fromLaptop);
        Assert.Equal(fromLaptop, await bob.Client.GetProfilePhotoAsync(alice.Number));
    }
}
