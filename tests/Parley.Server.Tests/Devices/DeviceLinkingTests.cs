using System.Net;
using Parley.Client.Api;
using Parley.Client.Devices;
using Parley.Client.Transport;
using Parley.Crypto;
using Parley.Crypto.Keys;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Devices;

/// <summary>Linking, listing and unlinking devices with signed device lists, on both databases (issue 4, items 5 and 6).</summary>
public abstract class DeviceLinkingTests(DevicesServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Primary_links_a_second_and_a_third_device_and_a_message_to_the_account_reaches_all_three()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        await using var laptop = await LinkedTestDevice.LinkAsync(alice, "laptop");
        await using var browser = await LinkedTestDevice.LinkAsync(alice, "browser");
        Assert.Equal((2, 3), (laptop.DeviceId, browser.DeviceId));

        var devices = await alice.Api.GetDevicesAsync(alice.Credentials);
        Assert.Equal([1, 2, 3], devices.Devices.Select(d => d.DeviceId));
        Assert.Equal([null, "laptop", "browser"], devices.Devices.Select(d => d.Name));
        Assert.Equal(2, devices.DeviceListVersion);

        // Contacts verify the list the primary signed: it names exactly these devices and keys.
        var signed = await bob.Api.GetSignedDeviceListAsync(bob.Credentials, alice.AccountId);
        var list = DeviceListSigner.Verify(signed, alice.AccountId, alice.Identity.IdentityKey);
        Assert.NotNull(list);
        Assert.True(DeviceListSigner.Contains(list, 3, browser.Identity.IdentityKey));
        Assert.Null(DeviceListSigner.Verify(signed, alice.AccountId, KeyHelper.GenerateIdentityKeyPair().IdentityKey));

        var sockets = new[] { await alice.ConnectAsync(), await laptop.ConnectAsync(), await browser.ConnectAsync() };
        var bobSocket = await bob.ConnectAsync();
        var onlyPrimary = await Expect.RejectedAsync(bobSocket.SendAsync(TestUser.MessageTo(alice, "to the phone only")));
        Assert.Equal(ErrorCode.MismatchedDevices, onlyPrimary.Code);
        Assert.Equal([2u, 3u], onlyPrimary.Error.MissingDevices);

        await bobSocket.SendAsync(LinkedTestDevice.MessageTo(alice.AccountId, "to every device",
            (1, alice.RegistrationId), (2, laptop.RegistrationId), (3, browser.RegistrationId)));
        foreach (var socket in sockets)
        {
            Assert.Equal("to every device", (await Expect.EnvelopeAsync(socket, "Bob's message on each of Alice's devices")).Content.ToStringUtf8());
        }

        // Writing to itself, the laptop encrypts for the account's other devices only.
        await sockets[1].SendAsync(LinkedTestDevice.MessageTo(alice.AccountId, "sync", (1, alice.RegistrationId), (3, browser.RegistrationId)));
        Assert.Equal(2u, (await Expect.EnvelopeAsync(sockets[0], "the laptop's sync copy on the phone")).SourceDevice);
        Assert.Equal(2u, (await Expect.EnvelopeAsync(sockets[2], "the laptop's sync copy in the browser")).SourceDevice);
    }

    [Fact]
    public async Task The_fifth_linked_device_is_refused_with_a_clear_error()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        var early = await alice.Api.CreateLinkCodeAsync(alice.Credentials);
        var linked = new List<LinkedTestDevice>();
        for (var i = 0; i < 4; i++)
        {
            linked.Add(await LinkedTestDevice.LinkAsync(alice, $"device {i + 2}"));
        }
        Assert.Equal([2, 3, 4, 5], linked.Select(d => d.DeviceId));

        var creating = await Assert.ThrowsAsync<ParleyApiException>(() => alice.Api.CreateLinkCodeAsync(alice.Credentials));
        Assert.Equal((HttpStatusCode.Conflict, DeviceErrorCodes.TooManyDevices), (creating.Status, creating.Code));
        Assert.Contains("4 linked devices", creating.Message, StringComparison.Ordinal);
        // A code made before the limit was reached does not get around it.
        var presenting = await Assert.ThrowsAsync<ParleyApiException>(() => LinkedTestDevice.PresentAsync(Server.NewApi(), early.Code));
        Assert.Equal(DeviceErrorCodes.TooManyDevices, presenting.Code);
    }

    [Fact]
    public async Task An_unlinked_device_is_logged_out_at_once_refused_afterwards_and_its_queue_and_keys_are_gone()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        await using var laptop = await LinkedTestDevice.LinkAsync(alice);
        var laptopSocket = await laptop.ConnectAsync();
        var loggedOut = WaitForStateAsync(laptopSocket, ConnectionState.LoggedOut);
        var bobSocket = await bob.ConnectAsync();
        await bobSocket.SendAsync(LinkedTestDevice.MessageTo(alice.AccountId, "queued, never acked", (1, alice.RegistrationId), (2, laptop.RegistrationId)));
        await Expect.EnvelopeAsync(laptopSocket, "the message on the laptop (not acked)");
        Assert.Equal(1, await CountAsync("envelopes", alice.AccountId, 2));

        await LinkedTestDevice.UnlinkAsync(alice, laptop.DeviceId);

        await loggedOut.WaitAsync(Expect.Timeout);
        var refused = await Assert.ThrowsAsync<ParleyApiException>(() => Server.NewApi().GetKeyStatusAsync(laptop.Credentials));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        await using (var again = new ParleyConnection(Server.BaseAddress, laptop.Credentials))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => again.ConnectAsync().WaitAsync(Expect.Timeout));
        }
        Assert.Equal(0, await CountAsync("envelopes", alice.AccountId, 2));
        Assert.Equal(0, await CountAsync("kyber_prekeys", alice.AccountId, 2));
        Assert.Equal(0, await CountAsync("devices", alice.AccountId, 2));
        Assert.Equal([1], (await alice.Api.GetDevicesAsync(alice.Credentials)).Devices.Select(d => d.DeviceId));

        // Senders learn at once that the device is gone; a new device never reuses its id.
        var stale = await Expect.RejectedAsync(bobSocket.SendAsync(LinkedTestDevice.MessageTo(alice.AccountId, "x", (1, alice.RegistrationId), (2, laptop.RegistrationId))));
        Assert.Equal([2u], stale.Error.ExtraDevices);
        await using var tablet = await LinkedTestDevice.LinkAsync(alice, "tablet");
        Assert.Equal(3, tablet.DeviceId);
    }

    [Fact]
    public async Task Link_codes_are_single_use_and_expire()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        var code = await alice.Api.CreateLinkCodeAsync(alice.Credentials);
        Assert.Matches("^[0-9A-Z]{5}-[0-9A-Z]{5}$", code.Code);
        Assert.StartsWith("parley://link?server=", code.LinkUri, StringComparison.Ordinal);
        Assert.Contains("code=" + code.Code, code.LinkUri, StringComparison.Ordinal);

        await LinkedTestDevice.PresentAsync(Server.NewApi(), code.Code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal));
        var second = await Assert.ThrowsAsync<ParleyApiException>(() => LinkedTestDevice.PresentAsync(Server.NewApi(), code.Code));
        Assert.Equal((HttpStatusCode.Conflict, DeviceErrorCodes.LinkCodeUsed), (second.Status, second.Code));
        var unknown = await Assert.ThrowsAsync<ParleyApiException>(() => LinkedTestDevice.PresentAsync(Server.NewApi(), "00000-00000"));
        Assert.Equal((HttpStatusCode.NotFound, DeviceErrorCodes.InvalidLinkCode), (unknown.Status, unknown.Code));

        // Ten minutes pass (the server compares with its own clock; the row is aged as an operator could).
        var late = await alice.Api.CreateLinkCodeAsync(alice.Credentials);
        var pending = await alice.Api.CreateLinkCodeAsync(alice.Credentials);
        var (_, _, presented) = await LinkedTestDevice.PresentAsync(Server.NewApi(), pending.Code);
        await Server.ExecuteSqlAsync("UPDATE device_links SET expires_at = 1 WHERE account_id = @a", ("a", alice.AccountId));
        var expired = await Assert.ThrowsAsync<ParleyApiException>(() => LinkedTestDevice.PresentAsync(Server.NewApi(), late.Code));
        Assert.Equal((HttpStatusCode.Gone, DeviceErrorCodes.LinkCodeExpired), (expired.Status, expired.Code));
        Assert.Equal(LinkStatuses.Expired, (await Server.NewApi().GetLinkStatusAsync(presented.LinkId)).Status);
        Assert.Empty((await alice.Api.GetLinkRequestsAsync(alice.Credentials)).Requests);
        Assert.Equal([1], (await alice.Api.GetDevicesAsync(alice.Credentials)).Devices.Select(d => d.DeviceId));
    }

    [Fact]
    public async Task Approval_needs_a_list_signed_by_the_primary_naming_exactly_the_new_devices_and_only_the_primary_may_approve()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var laptop = await LinkedTestDevice.LinkAsync(alice);
        var code = await alice.Api.CreateLinkCodeAsync(alice.Credentials);
        var (identity, _, presented) = await LinkedTestDevice.PresentAsync(Server.NewApi(), code.Code, "stranger");
        var devices = await alice.Api.GetDevicesAsync(alice.Credentials);
        var withNew = devices.Devices.Select(d => (d.DeviceId, d.IdentityKey)).Append((3, identity.PublicKey.Serialize())).ToList();

        var forged = DeviceListSigner.Sign(KeyHelper.GenerateIdentityKeyPair(), alice.AccountId, 2, withNew);
        await ExpectRefusedAsync(DeviceErrorCodes.InvalidDeviceList, alice.Api.ApproveLinkAsync(alice.Credentials, presented.LinkId, new ApproveLinkRequest(3, forged)));
        var withoutNew = DeviceListSigner.Sign(alice.Identity, alice.AccountId, 2, withNew.Take(2));
        await ExpectRefusedAsync(DeviceErrorCodes.InvalidDeviceList, alice.Api.ApproveLinkAsync(alice.Credentials, presented.LinkId, new ApproveLinkRequest(3, withoutNew)));
        var rollback = DeviceListSigner.Sign(alice.Identity, alice.AccountId, 1, withNew);
        await ExpectRefusedAsync(DeviceErrorCodes.InvalidDeviceList, alice.Api.ApproveLinkAsync(alice.Credentials, presented.LinkId, new ApproveLinkRequest(3, rollback)));
        var good = DeviceListSigner.Sign(alice.Identity, alice.AccountId, 2, withNew);
        await ExpectRefusedAsync(DeviceErrorCodes.DeviceListConflict, alice.Api.ApproveLinkAsync(alice.Credentials, presented.LinkId, new ApproveLinkRequest(2, good)));
        await ExpectRefusedAsync(DeviceErrorCodes.NotPrimary, Server.NewApi().ApproveLinkAsync(laptop.Credentials, presented.LinkId, new ApproveLinkRequest(3, good)));
        await ExpectRefusedAsync(DeviceErrorCodes.NotPrimary, Server.NewApi().CreateLinkCodeAsync(laptop.Credentials));
        Assert.Equal(LinkStatuses.Pending, (await Server.NewApi().GetLinkStatusAsync(presented.LinkId)).Status);

        await alice.Api.RejectLinkAsync(alice.Credentials, presented.LinkId);
        Assert.Equal(LinkStatuses.Rejected, (await Server.NewApi().GetLinkStatusAsync(presented.LinkId)).Status);
        await ExpectRefusedAsync(DeviceErrorCodes.LinkCodeUsed, alice.Api.ApproveLinkAsync(alice.Credentials, presented.LinkId, new ApproveLinkRequest(3, good)));
    }

    [Fact]
    public async Task Re_registering_the_primary_drops_linked_devices_and_the_old_signed_list_and_linking_starts_again()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var laptop = await LinkedTestDevice.LinkAsync(alice);
        await using var bob = await TestUser.RegisterAsync(Server);

        await using var newAlice = await TestUser.RegisterAsync(Server, alice.Number);

        Assert.Equal([1], (await newAlice.Api.GetDevicesAsync(newAlice.Credentials)).Devices.Select(d => d.DeviceId));
        var stale = await Assert.ThrowsAsync<ParleyApiException>(() => bob.Api.GetSignedDeviceListAsync(bob.Credentials, alice.AccountId));
        Assert.Equal(DeviceErrorCodes.NoDeviceList, stale.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<ParleyApiException>(() => Server.NewApi().GetDevicesAsync(laptop.Credentials))).Status);

        await using var tablet = await LinkedTestDevice.LinkAsync(newAlice, "tablet");
        Assert.Equal(3, tablet.DeviceId);
        var list = DeviceListSigner.Verify(await bob.Api.GetSignedDeviceListAsync(bob.Credentials, alice.AccountId), alice.AccountId, newAlice.Identity.IdentityKey);
        Assert.Equal([1u, 3u], list!.Devices.Select(d => d.DeviceId));
    }

    private static async Task ExpectRefusedAsync(string code, Task call)
    {
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => call);
        Assert.Equal(code, error.Code);
    }

    private async Task<long> CountAsync(string table, string accountId, int deviceId) =>
        await Server.ScalarAsync($"SELECT COUNT(*) FROM {table} WHERE account_id = @a AND device_id = @d", ("a", accountId), ("d", deviceId));

    private static Task WaitForStateAsync(ParleyConnection connection, ConnectionState state)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.StateChanged += s =>
        {
            if (s == state)
            {
                reached.TrySetResult();
            }
        };
        return reached.Task;
    }
}

public sealed class DeviceLinkingTestsOnSqlite(SqliteDevicesServerFixture fixture) : DeviceLinkingTests(fixture), IClassFixture<SqliteDevicesServerFixture>;

public sealed class DeviceLinkingTestsOnPostgres(PostgresDevicesServerFixture fixture) : DeviceLinkingTests(fixture), IClassFixture<PostgresDevicesServerFixture>;
