using Parley.Client.Sqlite;
using Parley.Client.Storage;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Sqlite;

/// <summary>The SQLite profile keeps a device alive across app restarts.</summary>
public sealed class SqliteClientStoreTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly string _profiles = Path.Combine(Path.GetTempPath(), "parley-client-tests", Guid.NewGuid().ToString("N"));

    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task ClientRestartedOnTheSameProfile_ContinuesItsSessionsBothWays_AndKeepsHistory()
    {
        var aliceDirectory = Path.Combine(_profiles, "alice");
        var aliceStore = await SqliteClientStore.OpenAsync(aliceDirectory);
        var alice = await TestDevice.RegisterAsync(Server, store: aliceStore);
        await using var bob = await TestDevice.RegisterAsync(Server, store: await SqliteClientStore.OpenAsync(Path.Combine(_profiles, "bob")));
        await alice.SendAsync(bob, "before the restart");
        await bob.NextMessageAsync("the first message");
        await bob.SendAsync(alice, "reply before the restart");
        await alice.NextMessageAsync("Bob's reply");
        await alice.DisposeAsync();
        await aliceStore.DisposeAsync();

        // A new store instance on the same file, as a new process would open it.
        await using var reopenedStore = await SqliteClientStore.OpenAsync(aliceDirectory);
        await using var restarted = await TestDevice.OpenExistingAsync(Server, alice.Number, reopenedStore);
        await restarted.SendAsync(bob, "after the restart");
        Assert.Equal("after the restart", (await bob.NextMessageAsync("the message after Alice's restart")).Text);
        await bob.SendAsync(restarted, "welcome back");
        Assert.Equal("welcome back", (await restarted.NextMessageAsync("Bob's message after the restart")).Text);

        Assert.Equal(["before the restart", "reply before the restart", "after the restart", "welcome back"],
            (await restarted.Client.GetHistoryAsync(bob.Number)).Select(m => m.Text));
        Assert.Empty(bob.DecryptionFailures);
        Assert.Empty(restarted.DecryptionFailures);
    }

    [Fact]
    public async Task ProfileFile_IsReadableByItsOwnerOnly_AndHoldsTheAccount()
    {
        var directory = Path.Combine(_profiles, "carol");
        await using (var store = await SqliteClientStore.OpenAsync(directory))
        {
            await using var carol = await TestDevice.RegisterAsync(Server, store: store, connect: false);
        }
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, SqliteClientStore.FileName)));
        }
        await using var reopened = await SqliteClientStore.OpenAsync(directory);
        var account = await reopened.LoadAccountAsync();
        Assert.NotNull(account);
        Assert.Equal(101u, account.NextPreKeyId);
        Assert.True((await reopened.LoadPreKeyAsync(PreKeyKind.Kyber, 1))!.LastResort);
        Assert.DoesNotContain(account.Password, account.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedAtomicUnit_LeavesNothingBehind()
    {
        await using var store = await SqliteClientStore.OpenAsync(Path.Combine(_profiles, "atomic"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AtomicallyAsync<bool>(async () =>
        {
            await store.StoreSessionAsync("someone", 1, [1, 2, 3]);
            await store.AddMessageAsync(new StoredMessage(new byte[16], "someone", "+15550000000", MessageDirection.Incoming, "x", 1, MessageStatus.Received));
            throw new InvalidOperationException("crash between decrypt and ack");
        }));
        Assert.Null(await store.LoadSessionAsync("someone", 1));
        Assert.Empty(await store.GetHistoryAsync("someone"));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_profiles, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was created.
        }
    }
}
