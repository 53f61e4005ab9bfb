using Parley.Client.Storage;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Messaging;

/// <summary>Peers re-register and device lists go stale: the SDK repairs its sessions and the UI hears about new identities.</summary>
public sealed class DeviceChangeTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task PeerReRegisters_SenderGetsStaleDevices_RefetchesAndTheMessageStillArrives_AndTheIdentityChangeIsRaised()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        var bob = await TestDevice.RegisterAsync(Server);
        await alice.SendAsync(bob, "before");
        await bob.NextMessageAsync("the first message");
        var safetyNumberBefore = await alice.Client.GetSafetyNumberAsync(bob.Number);
        await bob.DisposeAsync();

        // Bob reinstalls: same number, new keys, new registration id.
        await using var newBob = await TestDevice.RegisterAsync(Server, bob.Number);
        await alice.SendAsync(newBob, "after your reinstall");

        Assert.Equal("after your reinstall", (await newBob.NextMessageAsync("the message sent to the stale device")).Text);
        var change = await alice.NextIdentityChangeAsync("an identity change for Bob");
        Assert.Equal((bob.Number, newBob.Client.AccountId), (change.Number, change.AccountId));
        Assert.NotNull((await alice.Store.FindContactByNumberAsync(bob.Number))!.IdentityChangedAt);
        Assert.NotEqual(safetyNumberBefore, await alice.Client.GetSafetyNumberAsync(bob.Number));
        Assert.Equal(await newBob.Client.GetSafetyNumberAsync(alice.Number), await alice.Client.GetSafetyNumberAsync(bob.Number));

        await alice.Client.AcknowledgeIdentityChangeAsync(bob.Number);
        Assert.Null((await alice.Store.FindContactByNumberAsync(bob.Number))!.IdentityChangedAt);
    }

    [Fact]
    public async Task PeerReRegistersAndWritesFirst_ReceiverRaisesTheIdentityChange_AndStillShowsTheMessage()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        var bob = await TestDevice.RegisterAsync(Server);
        await alice.SendAsync(bob, "hello");
        await bob.NextMessageAsync("the first message");
        await bob.DisposeAsync();

        await using var newBob = await TestDevice.RegisterAsync(Server, bob.Number);
        await newBob.SendAsync(alice, "new phone, same me");

        Assert.Equal("new phone, same me", (await alice.NextMessageAsync("the message from Bob's new install")).Text);
        Assert.Equal(bob.Number, (await alice.NextIdentityChangeAsync("an identity change for Bob")).Number);
    }

    [Fact]
    public async Task SessionWithADeviceThatNoLongerExists_ServerSaysMismatched_SdkDropsItAndDelivers()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        await alice.SendAsync(bob, "one");
        await bob.NextMessageAsync("the first message");

        // Alice believes Bob also has device 2 (e.g. an unlinked laptop): copy the session there.
        var session = await alice.Store.LoadSessionAsync(bob.Client.AccountId, 1);
        await alice.Store.StoreSessionAsync(bob.Client.AccountId, 2, session!);

        await alice.SendAsync(bob, "two");
        Assert.Equal("two", (await bob.NextMessageAsync("the message after the extra device was dropped")).Text);
        Assert.Equal([1u], await alice.Store.ListSessionDevicesAsync(bob.Client.AccountId));
        Assert.Empty(bob.DecryptionFailures);
    }

    [Fact]
    public async Task MissingSessionForAnExistingDevice_ServerSaysMismatched_SdkFetchesItsBundleAndDelivers()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        await alice.SendAsync(bob, "one");
        await bob.NextMessageAsync("the first message");

        // Alice's sessions say only "device 3"; Bob's real device 1 is missing from them.
        var session = await alice.Store.LoadSessionAsync(bob.Client.AccountId, 1);
        await alice.Store.StoreSessionAsync(bob.Client.AccountId, 3, session!);
        await alice.Store.DeleteSessionAsync(bob.Client.AccountId, 1);

        await alice.SendAsync(bob, "two");
        Assert.Equal("two", (await bob.NextMessageAsync("the message after the device list was repaired")).Text);
        Assert.Equal([1u], await alice.Store.ListSessionDevicesAsync(bob.Client.AccountId));
    }

    [Fact]
    public async Task UnknownNumber_IsReportedAsSuch_AndNothingIsStored()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        var nobody = TestDevice.NewNumber();

        var error = await Assert.ThrowsAsync<Parley.Client.Messaging.UnknownNumberException>(() => alice.Client.SendTextAsync(nobody, "anyone?"));
        Assert.Equal(nobody, error.Number);
        Assert.Empty(await alice.Client.ListChatsAsync());
    }

    [Fact]
    public async Task SafetyNumbers_AreSixtyDigits_AndEqualOnBothSides()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        await alice.SendAsync(bob, "compare numbers?");
        await bob.NextMessageAsync("the message");

        var seenByAlice = await alice.Client.GetSafetyNumberAsync(bob.Number);
        Assert.Matches("^[0-9]{60}$", seenByAlice);
        Assert.Equal(seenByAlice, await bob.Client.GetSafetyNumberAsync(alice.Number));
        Assert.Equal(MessageDirection.Outgoing, (await alice.Client.ListChatsAsync()).Single().LastMessage!.Direction);
    }
}
