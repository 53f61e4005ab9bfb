using System.Text.Json;
using Parley.Client.Storage;

namespace Parley.Web.Storage;

public sealed partial class IndexedDbClientStore
{
    /// <summary>Replays every entry into memory, in an order that satisfies the in-memory store's rules.</summary>
    private async Task LoadAsync()
    {
        await Db.LoadAllAsync();
        var flat = Db.TakeLoaded();
        if (flat.Length == 0)
        {
            return; // a first visit: nothing to replay
        }
        var entries = new string[flat.Length / 2][];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = [flat[2 * i], flat[2 * i + 1]];
        }
        var byKind = entries.GroupBy(e => e[0].Split('|')[0]).ToDictionary(g => g.Key, g => g.ToList());
        IEnumerable<T> Read<T>(string kind) =>
            byKind.GetValueOrDefault(kind, []).Select(e => (T)JsonSerializer.Deserialize(e[1], typeof(T), PersistedJson.Default)!);

        foreach (var entry in entries)
        {
            _keys.Add(entry[0]);
        }
        if (Read<LocalAccount>("account").FirstOrDefault() is { } account)
        {
            await _memory.SaveAccountAsync(account);
        }
        foreach (var e in Read<PreKeyEntry>("prekey"))
        {
            await _memory.StorePreKeyAsync(e.Kind, e.Id, e.Key);
        }
        foreach (var e in Read<DeviceRecordEntry>("session"))
        {
            await _memory.StoreSessionAsync(e.Name, e.DeviceId, e.Record);
        }
        foreach (var e in Read<DeviceRecordEntry>("identity"))
        {
            await _memory.StoreIdentityAsync(e.Name, e.DeviceId, e.Record);
        }
        foreach (var e in Read<SenderKeyEntry>("senderkey"))
        {
            await _memory.StoreSenderKeyAsync(e.Name, e.DeviceId, e.DistributionId, e.Record);
        }
        foreach (var contact in Read<Contact>("contact"))
        {
            await _memory.SaveContactAsync(contact);
        }
        // History order is arrival order in memory; the sender's clock is the closest durable stand-in.
        foreach (var message in Read<StoredMessage>("msg").OrderBy(m => m.Timestamp))
        {
            await _memory.AddMessageAsync(message);
        }
        foreach (var group in Read<LocalGroup>("group"))
        {
            await _memory.SaveGroupAsync(group);
        }
        foreach (var message in Read<GroupMessage>("gmsg").OrderBy(m => m.Timestamp))
        {
            await _memory.AddGroupMessageAsync(message);
        }
        foreach (var receipts in Read<ReceiptsEntry>("receipt"))
        {
            foreach (var (member, status) in receipts.States)
            {
                await _memory.RecordGroupReceiptAsync(receipts.GroupId, receipts.MessageId, member, status);
            }
        }
        foreach (var call in Read<CallRecord>("call"))
        {
            await _memory.AddCallAsync(call);
        }
        foreach (var envelope in Read<PendingGroupEnvelope>("pending"))
        {
            await _memory.AddPendingGroupEnvelopeAsync(envelope);
        }
        foreach (var entry in byKind.GetValueOrDefault("hidden", []))
        {
            _hidden.Add(entry[0]);
        }
        foreach (var entry in byKind.GetValueOrDefault("read", []))
        {
            _readUpTo[entry[0]["read|".Length..]] = JsonSerializer.Deserialize(entry[1], PersistedJson.Default.Int64);
        }
        _outbox.AddRange(Read<QueuedMessage>("outbox").OrderBy(m => m.CreatedAt));
        _groupEvents.AddRange(Read<GroupEventLine>("event"));
    }
}
