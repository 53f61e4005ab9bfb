using Parley.Client.Sqlite;
using Parley.Client.Storage;

namespace Parley.Client.Tests.Groups;

/// <summary>The group part of both client stores behaves the same: state survives reopening, history de-duplicates, receipts only move forward.</summary>
public sealed class GroupStoreTests : IDisposable
{
    private readonly string _profile = Path.Combine(Path.GetTempPath(), "parley-group-store-tests", Guid.NewGuid().ToString("N"));

    public static TheoryData<string> Stores => ["memory", "sqlite"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task GroupState_History_Receipts_AndPendingEnvelopes_RoundTrip(string kind)
    {
        IClientStore store = kind == "sqlite" ? await SqliteClientStore.OpenAsync(_profile) : new InMemoryClientStore();
        var key = Guid.NewGuid();
        var group = new LocalGroup("g1", 3, "Family", "", false, [new GroupMemberInfo("a", true, 1), new GroupMemberInfo("b", false, 2)], true, key, ["b"]);
        await store.SaveGroupAsync(group);
        if (store is SqliteClientStore sqlite)
        {
            await sqlite.DisposeAsync();
            store = await SqliteClientStore.OpenAsync(_profile); // as the next CLI run opens it
        }
        var loaded = await store.LoadGroupAsync("g1");
        Assert.Equal((3L, "Family", key, true), (loaded!.Version, loaded.Name, loaded.SenderKeyDistributionId, loaded.Member("a")!.Admin));
        Assert.Equal(["b"], loaded.SenderKeyHolders);

        var id = new byte[16];
        var message = new GroupMessage("g1", id, "a", "+1", MessageDirection.Outgoing, "hi", 5, MessageStatus.Sent);
        Assert.True(await store.AddGroupMessageAsync(message));
        Assert.False(await store.AddGroupMessageAsync(message));
        Assert.True(await store.AddGroupMessageAsync(message with { SenderAccountId = "b", Direction = MessageDirection.Incoming })); // same id, other sender
        Assert.Equal(2, (await store.GetGroupHistoryAsync("g1")).Count);

        Assert.True(await store.RecordGroupReceiptAsync("g1", id, "b", MessageStatus.Read));
        Assert.False(await store.RecordGroupReceiptAsync("g1", id, "b", MessageStatus.Delivered)); // a late delivery receipt does not undo "read"
        Assert.Equal(MessageStatus.Read, (await store.GetGroupReceiptsAsync("g1", id))["b"]);
        Assert.Equal(MessageStatus.Delivered, (await store.AdvanceGroupMessageStatusAsync("g1", id, MessageStatus.Delivered))!.Status);
        Assert.Null(await store.AdvanceGroupMessageStatusAsync("g1", id, MessageStatus.Sent));

        await store.AddPendingGroupEnvelopeAsync(new PendingGroupEnvelope("b", 1, id, [1, 2]));
        await store.AddPendingGroupEnvelopeAsync(new PendingGroupEnvelope("b", 1, id, [1, 2]));
        Assert.Single(await store.TakePendingGroupEnvelopesAsync("b", 1));
        Assert.Empty(await store.TakePendingGroupEnvelopesAsync("b", 1));
        if (store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_profile))
        {
            Directory.Delete(_profile, recursive: true);
        }
    }
}
