using Parley.Client.Messaging;
using Parley.Client.Storage;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Messaging;

/// <summary>Registration uploads keys whose private halves stay local; running low triggers a new batch.</summary>
public sealed class PreKeyTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Registration_UploadsABatchOfEachKind_AndKeepsEveryPrivateKeyLocally()
    {
        await using var bob = await TestDevice.RegisterAsync(Server, connect: false);
        var status = await bob.Api().GetKeyStatusAsync(bob.Client.Account.Credentials);
        Assert.Equal((100, 100), (status.Count, status.PqCount));
        Assert.NotNull(await bob.Store.LoadPreKeyAsync(PreKeyKind.OneTime, 1));
        Assert.NotNull(await bob.Store.LoadPreKeyAsync(PreKeyKind.OneTime, 100));
        Assert.NotNull(await bob.Store.LoadPreKeyAsync(PreKeyKind.Kyber, 101));
        Assert.True((await bob.Store.LoadPreKeyAsync(PreKeyKind.Kyber, 1))!.LastResort);
        Assert.NotNull(await bob.Store.LoadPreKeyAsync(PreKeyKind.Signed, 1));
    }

    [Fact]
    public async Task ServerRunsLowOnOneTimeKeys_ClientUploadsANewBatchOnConnect()
    {
        var options = new ClientOptions { PreKeyBatchSize = 10, PreKeyLowWatermark = 5 };
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server, options: options, connect: false);
        for (var i = 0; i < 6; i++)
        {
            await alice.Api().GetPreKeysAsync(alice.Client.Account.Credentials, bob.Client.AccountId);
        }
        var drained = await bob.Api().GetKeyStatusAsync(bob.Client.Account.Credentials);
        Assert.Equal((4, 4), (drained.Count, drained.PqCount));

        await bob.Client.ConnectAsync();

        var status = await bob.Api().GetKeyStatusAsync(bob.Client.Account.Credentials);
        Assert.Equal((14, 14), (status.Count, status.PqCount));
        Assert.NotNull(await bob.Store.LoadPreKeyAsync(PreKeyKind.OneTime, 20)); // ids continue after the first batch
    }

    [Fact]
    public async Task PreKeyMessagesUseUpKeys_ReceiverReplenishesAfterProcessingThem()
    {
        var options = new ClientOptions { PreKeyBatchSize = 10, PreKeyLowWatermark = 9 };
        await using var bob = await TestDevice.RegisterAsync(Server, options: options);
        var senders = new List<TestDevice>();
        for (var i = 0; i < 2; i++)
        {
            var sender = await TestDevice.RegisterAsync(Server);
            senders.Add(sender);
            await sender.SendAsync(bob, $"hello from sender {i}");
            await bob.NextMessageAsync($"the message of sender {i}");
        }
        await bob.Client.WaitUntilCaughtUpAsync();

        // Two bundles taken (10 -> 8 < 9), then a batch of 10 uploaded after the prekey message: 18.
        var status = await bob.Api().GetKeyStatusAsync(bob.Client.Account.Credentials);
        Assert.True(status.Count >= 17, $"expected a replenished count, got {status.Count}");
        Assert.Null(await bob.Store.LoadPreKeyAsync(PreKeyKind.OneTime, 1)); // consumed by the first sender's session
        foreach (var sender in senders)
        {
            await sender.DisposeAsync();
        }
    }
}
