using Parley.Client.Api;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Groups;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Privacy;

/// <summary>
/// Every value of every privacy setting, seen from three people: a contact (in the owner's address
/// book), a contact the owner excluded, and a stranger.
/// </summary>
public abstract class PrivacySettingsTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    private static readonly byte[] Photo = EncryptedPhotos.CreateAsync("olivia").GetAwaiter().GetResult();

    private sealed record Cast(TestUser Owner, TestUser Contact, TestUser Excluded, TestUser Stranger);

    /// <summary>An owner with a photo and about text who has Contact and Excluded in the address book.</summary>
    private async Task<Cast> CastAsync()
    {
        var owner = await TestUser.RegisterAsync(Server, preKeys: 0);
        var contact = await TestUser.RegisterAsync(Server, preKeys: 0);
        var excluded = await TestUser.RegisterAsync(Server, preKeys: 0);
        var stranger = await TestUser.RegisterAsync(Server, preKeys: 0);
        await owner.Api.UpdateProfileAsync(owner.Credentials, new UpdateProfileRequest("Olivia", "At the gym"));
        await owner.Api.SetProfilePhotoAsync(owner.Credentials, Photo, "image/jpeg");
        await owner.Api.SyncContactsAsync(owner.Credentials, [contact.Number, excluded.Number]);
        return new Cast(owner, contact, excluded, stranger);
    }

    private static Task SetAllAsync(TestUser owner, string audience, TestUser excluded) =>
        owner.Api.UpdatePrivacyAsync(owner.Credentials, new PrivacySettingsDto(audience, audience, audience, audience,
            LastSeenExcept: [excluded.Number], ProfilePhotoExcept: [excluded.Number], AboutExcept: [excluded.Number], GroupsExcept: [excluded.Number]));

    [Theory]
    [InlineData(Audiences.Everyone, true, true, true)]
    [InlineData(Audiences.Contacts, true, true, false)]
    [InlineData(Audiences.ContactsExcept, true, false, false)]
    [InlineData(Audiences.Nobody, false, false, false)]
    public async Task Each_audience_decides_who_sees_last_seen_online_photo_and_about_and_who_may_add_to_groups(
        string audience, bool contactSees, bool excludedSees, bool strangerSees)
    {
        var cast = await CastAsync();
        await SetAllAsync(cast.Owner, audience, cast.Excluded);
        await cast.Owner.ConnectAsync();

        foreach (var (viewer, sees) in new[] { (cast.Contact, contactSees), (cast.Excluded, excludedSees), (cast.Stranger, strangerSees) })
        {
            var who = viewer == cast.Contact ? "a contact" : viewer == cast.Excluded ? "an excluded contact" : "a stranger";
            var presence = Assert.Single(await (await viewer.ConnectAsync()).SubscribePresenceAsync([cast.Owner.AccountId]));
            Assert.True(presence.Online == sees, $"{who} should {(sees ? "" : "not ")}see the owner online under '{audience}'");

            var profile = await viewer.Api.GetProfileAsync(viewer.Credentials, cast.Owner.AccountId);
            Assert.Equal("Olivia", profile.Name); // the name is always visible, as in WhatsApp
            Assert.Equal(sees ? "At the gym" : null, profile.About);
            Assert.Equal(sees, profile.HasPhoto);
            var photo = await viewer.Api.GetProfilePhotoAsync(viewer.Credentials, cast.Owner.AccountId);
            Assert.Equal(sees ? Photo : null, photo);

            var (group, problem) = await new GroupClient(Server.BaseAddress, viewer.Credentials).CreateAsync("Book club", cast.Owner.AccountId);
            Assert.True((group is not null) == sees, $"{who} should {(sees ? "" : "not ")}be able to add the owner to a group under '{audience}'");
            if (!sees)
            {
                Assert.Equal(new ProblemResult(403, ErrorCodes.GroupAddNotAllowed), problem);
            }
        }
    }

    [Fact]
    public async Task Last_seen_and_offline_time_stay_hidden_and_the_owner_always_sees_their_own()
    {
        var cast = await CastAsync();
        await SetAllAsync(cast.Owner, Audiences.Nobody, cast.Excluded);
        var ownerSocket = await cast.Owner.ConnectAsync();
        await ownerSocket.DisposeAsync();
        var hidden = Assert.Single(await (await cast.Contact.ConnectAsync()).SubscribePresenceAsync([cast.Owner.AccountId]));
        Assert.False(hidden.Online);
        Assert.Equal(0, hidden.LastSeen);

        var own = await cast.Owner.Api.GetProfileAsync(cast.Owner.Credentials, cast.Owner.AccountId);
        Assert.Equal("At the gym", own.About);
        Assert.True(own.HasPhoto);
    }

    [Fact]
    public async Task Changing_last_seen_to_nobody_hides_presence_from_watchers_at_once_and_back_again()
    {
        var cast = await CastAsync();
        await cast.Owner.ConnectAsync();
        var watcher = await cast.Contact.ConnectAsync();
        Assert.True(Assert.Single(await watcher.SubscribePresenceAsync([cast.Owner.AccountId])).Online);

        await cast.Owner.Api.UpdatePrivacyAsync(cast.Owner.Credentials, new PrivacySettingsDto(LastSeen: Audiences.Nobody));
        var hidden = (await Expect.SignalAsync(watcher, "the owner disappearing")).Presence;
        Assert.False(hidden.Online);
        Assert.Equal(0, hidden.LastSeen);

        await cast.Owner.Api.UpdatePrivacyAsync(cast.Owner.Credentials, new PrivacySettingsDto(LastSeen: Audiences.Contacts));
        Assert.True((await Expect.SignalAsync(watcher, "the owner visible again")).Presence.Online);
        await Expect.NoSignalAsync(watcher, TimeSpan.FromMilliseconds(300), "another presence update");
    }

    [Fact]
    public async Task Settings_read_back_as_set_and_bad_values_are_refused()
    {
        var cast = await CastAsync();
        var api = cast.Owner.Api;
        var saved = await api.UpdatePrivacyAsync(cast.Owner.Credentials,
            new PrivacySettingsDto(LastSeen: Audiences.ContactsExcept, ReadReceipts: false, LastSeenExcept: [cast.Excluded.Number]));
        Assert.Equal(Audiences.ContactsExcept, saved.LastSeen);
        Assert.Equal(Audiences.Everyone, saved.ProfilePhoto);
        Assert.False(saved.ReadReceipts);
        Assert.Equal([cast.Excluded.Number], saved.LastSeenExcept);
        Assert.Equal(saved, await api.GetPrivacyAsync(cast.Owner.Credentials), new PrivacyComparer());

        var wrong = await Assert.ThrowsAsync<ParleyApiException>(() => api.UpdatePrivacyAsync(cast.Owner.Credentials, new PrivacySettingsDto(About: "friends")));
        Assert.Equal(ErrorCodes.InvalidRequest, wrong.Code);
        var unknown = await Assert.ThrowsAsync<ParleyApiException>(() =>
            api.UpdatePrivacyAsync(cast.Owner.Credentials, new PrivacySettingsDto(AboutExcept: [TestUser.NewNumber()])));
        Assert.Equal(ErrorCodes.UnknownAccount, unknown.Code);
        Assert.Equal(Audiences.ContactsExcept, (await api.GetPrivacyAsync(cast.Owner.Credentials)).LastSeen); // nothing changed
    }

    [Fact]
    public async Task Read_receipts_off_on_either_side_means_no_blue_ticks_in_1to1_chats_but_groups_still_send_them()
    {
        var cast = await CastAsync();
        var (quiet, friend) = (cast.Owner, cast.Contact);
        await quiet.Api.UpdatePrivacyAsync(quiet.Credentials, new PrivacySettingsDto(ReadReceipts: false));
        var quietSocket = await quiet.ConnectAsync();
        var friendSocket = await friend.ConnectAsync();

        // The friend reads the quiet one's message: the quiet one turned receipts off, so sees no blue tick either.
        await quietSocket.SendAsync(TestUser.MessageTo(friend, "hi"));
        var atFriend = await Expect.EnvelopeAsync(friendSocket, "the message");
        await friendSocket.AckAsync([atFriend.Id]);
        Assert.Equal(EnvelopeType.DeliveryReceipt, (await Expect.EnvelopeAsync(quietSocket, "the delivery receipt")).Type);
        await friendSocket.SendReadReceiptAsync(quiet.AccountId, [atFriend.MessageId.ToByteArray()]);

        // The quiet one reads the friend's message: no read receipt reaches the friend.
        await friendSocket.SendAsync(TestUser.MessageTo(quiet, "hello"));
        var atQuiet = await Expect.EnvelopeAsync(quietSocket, "the friend's message");
        Assert.Equal(EnvelopeType.Ciphertext, atQuiet.Type); // and no read receipt queued before it
        await quietSocket.AckAsync([atQuiet.Id]);
        await quietSocket.SendReadReceiptAsync(friend.AccountId, [atQuiet.MessageId.ToByteArray()]);
        Assert.Equal(EnvelopeType.DeliveryReceipt, (await NextOfTypeAsync(friendSocket, EnvelopeType.DeliveryReceipt)).Type);
        await Expect.NothingAsync(friendSocket, TimeSpan.FromMilliseconds(500), "read receipt from someone with read receipts off");
        await Expect.NothingAsync(quietSocket, TimeSpan.FromMilliseconds(200), "read receipt while read receipts are off");

        // In a group, read receipts always flow.
        var (group, _) = await new GroupClient(Server.BaseAddress, friend.Credentials).CreateAsync("Team", quiet.AccountId);
        var groupMessageId = Google.Protobuf.ByteString.CopyFrom(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await quietSocket.RequestAsync(new ClientFrame
        {
            ReadReceipt = new SendReadReceipt { SenderAccount = friend.AccountId, GroupId = group!.GroupId, MessageIds = { groupMessageId } },
        });
        var read = await NextOfTypeAsync(friendSocket, EnvelopeType.ReadReceipt);
        Assert.Equal(group.GroupId, read.GroupId);
    }

    private static async Task<Envelope> NextOfTypeAsync(Client.Transport.ParleyConnection socket, EnvelopeType type)
    {
        while (true)
        {
            var envelope = await Expect.EnvelopeAsync(socket, $"a {type} envelope");
            await socket.AckAsync([envelope.Id]);
            if (envelope.Type == type)
            {
                return envelope;
            }
        }
    }

    private sealed class PrivacyComparer : IEqualityComparer<PrivacySettingsDto>
    {
        public bool Equals(PrivacySettingsDto? x, PrivacySettingsDto? y) =>
            System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y);

        public int GetHashCode(PrivacySettingsDto obj) => 0;
    }
}

public sealed class PrivacySettingsTestsOnSqlite(SqliteServerFixture fixture) : PrivacySettingsTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PrivacySettingsTestsOnPostgres(PostgresServerFixture fixture) : PrivacySettingsTests(fixture), IClassFixture<PostgresServerFixture>;
