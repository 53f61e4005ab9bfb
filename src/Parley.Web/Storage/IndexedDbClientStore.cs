using System.Runtime.InteropServices.JavaScript;
using System.Text.Json;
using Parley.Client.Storage;

namespace Parley.Web.Storage;

/// <summary>
/// The browser's durable client store: everything lives in an <see cref="InMemoryClientStore"/>
/// loaded from IndexedDB at start, and every change is written through to IndexedDB. Changes made
/// inside <see cref="AtomicallyAsync"/> land in one IndexedDB transaction, so a closed tab never keeps
/// an advanced session without the message it decrypted (or the other way round).
/// </summary>
public sealed partial class IndexedDbClientStore : IClientStore
{
    private readonly AsyncLocal<Batch?> _batch = new();
    private InMemoryClientStore _memory = new();

    private IndexedDbClientStore()
    {
    }

    /// <summary>Opens the browser's database and loads what a previous visit kept.</summary>
    /// <param name="appBase">The app's base address: js/parley-db.js is the module index.html already loaded.</param>
    public static async Task<IndexedDbClientStore> OpenAsync(Uri appBase)
    {
        await JSHost.ImportAsync(Db.Module, new Uri(appBase, "js/parley-db.js").ToString());
        var store = new IndexedDbClientStore();
        await store.LoadAsync();
        return store;
    }

    /// <summary>Deletes everything this browser kept: keys, sessions, history (sign out).</summary>
    public async Task WipeAsync()
    {
        await Db.ClearAsync();
        _memory = new InMemoryClientStore();
        ClearWebState();
    }

    public async Task<T> AtomicallyAsync<T>(Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_batch.Value is not null)
        {
            return await work();
        }
        return await _memory.AtomicallyAsync(async () =>
        {
            var batch = new Batch();
            _batch.Value = batch;
            try
            {
                var result = await work();
                await FlushAsync(batch);
                return result;
            }
            finally
            {
                _batch.Value = null;
            }
        });
    }

    // ---- account and keys ----

    public Task<LocalAccount?> LoadAccountAsync() => _memory.LoadAccountAsync();

    public async Task SaveAccountAsync(LocalAccount account)
    {
        await _memory.SaveAccountAsync(account);
        await PutAsync("account", account);
    }

    public async Task ResetAccountAsync()
    {
        await _memory.ResetAccountAsync();
        var batch = new Batch();
        batch.Delete("account");
        foreach (var key in _keys.Where(k => k.StartsWith("prekey|", StringComparison.Ordinal) || k.StartsWith("session|", StringComparison.Ordinal)
            || k.StartsWith("identity|", StringComparison.Ordinal) || k.StartsWith("senderkey|", StringComparison.Ordinal)))
        {
            batch.Delete(key);
        }
        await WriteAsync(batch);
    }

    public Task<StoredPreKey?> LoadPreKeyAsync(PreKeyKind kind, uint id) => _memory.LoadPreKeyAsync(kind, id);

    public async Task StorePreKeyAsync(PreKeyKind kind, uint id, StoredPreKey key)
    {
        await _memory.StorePreKeyAsync(kind, id, key);
        await PutAsync($"prekey|{(int)kind}|{id}", new PreKeyEntry(kind, id, key));
    }

    public async Task RemovePreKeyAsync(PreKeyKind kind, uint id)
    {
        await _memory.RemovePreKeyAsync(kind, id);
        await DeleteAsync($"prekey|{(int)kind}|{id}");
    }

    public Task<byte[]?> LoadSessionAsync(string name, uint deviceId) => _memory.LoadSessionAsync(name, deviceId);

    public async Task StoreSessionAsync(string name, uint deviceId, byte[] record)
    {
        await _memory.StoreSessionAsync(name, deviceId, record);
        await PutAsync($"session|{name}|{deviceId}", new DeviceRecordEntry(name, deviceId, record));
    }

    public async Task DeleteSessionAsync(string name, uint deviceId)
    {
        await _memory.DeleteSessionAsync(name, deviceId);
        await DeleteAsync($"session|{name}|{deviceId}");
    }

    public Task<IReadOnlyList<uint>> ListSessionDevicesAsync(string name) => _memory.ListSessionDevicesAsync(name);

    public Task<byte[]?> LoadSenderKeyAsync(string name, uint deviceId, Guid distributionId) => _memory.LoadSenderKeyAsync(name, deviceId, distributionId);

    public async Task StoreSenderKeyAsync(string name, uint deviceId, Guid distributionId, byte[] record)
    {
        await _memory.StoreSenderKeyAsync(name, deviceId, distributionId, record);
        await PutAsync($"senderkey|{name}|{deviceId}|{distributionId:N}", new SenderKeyEntry(name, deviceId, distributionId, record));
    }

    public Task<byte[]?> LoadIdentityAsync(string name, uint deviceId) => _memory.LoadIdentityAsync(name, deviceId);

    public async Task StoreIdentityAsync(string name, uint deviceId, byte[] identityKey)
    {
        await _memory.StoreIdentityAsync(name, deviceId, identityKey);
        await PutAsync($"identity|{name}|{deviceId}", new DeviceRecordEntry(name, deviceId, identityKey));
    }

    // ---- contacts and 1:1 history ----

    public Task<Contact?> FindContactByNumberAsync(string number) => _memory.FindContactByNumberAsync(number);

    public Task<Contact?> FindContactByAccountAsync(string accountId) => _memory.FindContactByAccountAsync(accountId);

    public async Task SaveContactAsync(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var stale = (await _memory.ListContactsAsync()).Where(c => c.AccountId == contact.AccountId && c.Number != contact.Number).ToList();
        await _memory.SaveContactAsync(contact);
        var batch = new Batch();
        foreach (var old in stale)
        {
            batch.Delete($"contact|{old.Number}");
        }
        batch.Put($"contact|{contact.Number}", contact);
        await WriteAsync(batch);
    }

    public Task<IReadOnlyList<Contact>> ListContactsAsync() => _memory.ListContactsAsync();

    public async Task<bool> AddMessageAsync(StoredMessage message)
    {
        var added = await _memory.AddMessageAsync(message);
        if (added && message.Direction == MessageDirection.Outgoing)
        {
            await PutSoonAsync(MessageKey(message), message); // committed before the encryption's awaited write, so before it is sent
        }
        else if (added)
        {
            await PutAsync(MessageKey(message), message); // the SDK acknowledges the envelope after this: it must be on disk
        }
        return added;
    }

    public Task<bool> HasMessageAsync(string peerAccountId, MessageDirection direction, byte[] messageId) =>
        _memory.HasMessageAsync(peerAccountId, direction, messageId);

    public async Task<StoredMessage?> AdvanceStatusAsync(string peerAccountId, byte[] messageId, MessageStatus status)
    {
        var changed = await _memory.AdvanceStatusAsync(peerAccountId, messageId, status);
        if (changed is not null && status == MessageStatus.Sent)
        {
            await PutSoonAsync(MessageKey(changed), changed); // our own send's tick: a receipt would set it again
        }
        else if (changed is not null)
        {
            await PutAsync(MessageKey(changed), changed); // a receipt: acknowledged to the server after this
        }
        return changed;
    }

    public Task<IReadOnlyList<StoredMessage>> GetHistoryAsync(string peerAccountId, int limit = 1000) => _memory.GetHistoryAsync(peerAccountId, limit);

    public Task<IReadOnlyList<ChatSummary>> ListChatsAsync() => _memory.ListChatsAsync();

    private static string MessageKey(StoredMessage m) => $"msg|{m.PeerAccountId}|{(int)m.Direction}|{Convert.ToHexString(m.MessageId)}";

    // ---- writing through ----

    /// <summary>Every key IndexedDB holds (to delete by prefix without a round trip).</summary>
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

    private Task PutAsync<T>(string key, T value)
    {
        var batch = new Batch();
        batch.Put(key, value);
        return WriteAsync(batch);
    }

    /// <summary>
    /// A line of our own send, written without waiting for IndexedDB's "complete" (two of the three
    /// waits of a send). IndexedDB runs read-write transactions on one store in the order they were
    /// created, so the next awaited write (the session of the encryption) commits after it and its
    /// failure surfaces there. Never for what the SDK acknowledges to the server afterwards: a
    /// reload would abort the write after the server dropped its copy.
    /// </summary>
    private Task PutSoonAsync<T>(string key, T value)
    {
        var batch = new Batch();
        batch.Put(key, value);
        if (_batch.Value is not null)
        {
            return WriteAsync(batch);
        }
        _unawaited.RemoveAll(write => write.IsCompletedSuccessfully);
        _unawaited.Add(FlushAsync(batch, awaitEarlier: false));
        return Task.CompletedTask;
    }

    private readonly List<Task> _unawaited = [];

    private Task DeleteAsync(string key)
    {
        var batch = new Batch();
        batch.Delete(key);
        return WriteAsync(batch);
    }

    /// <summary>Inside an atomic block the change waits for the block's end; otherwise it is written now.</summary>
    private Task WriteAsync(Batch batch)
    {
        if (_batch.Value is { } open)
        {
            open.Changes.AddRange(batch.Changes);
            return Task.CompletedTask;
        }
        return FlushAsync(batch);
    }

    private async Task FlushAsync(Batch batch, bool awaitEarlier = true)
    {
        if (batch.Changes.Count == 0)
        {
            return;
        }
        var changes = new string?[batch.Changes.Count * 2];
        for (var i = 0; i < batch.Changes.Count; i++)
        {
            (changes[2 * i], changes[2 * i + 1]) = (batch.Changes[i].Key, batch.Changes[i].Value);
        }
        var writing = Db.WriteAsync(changes);
        foreach (var (key, value) in batch.Changes)
        {
            if (value is null)
            {
                _keys.Remove(key);
            }
            else
            {
                _keys.Add(key);
            }
        }
        await writing;
        if (awaitEarlier && _unawaited.Count > 0)
        {
            // Created before this one, so already committed (or failed: then this throws).
            var earlier = _unawaited.ToArray();
            _unawaited.Clear();
            await Task.WhenAll(earlier);
        }
    }

    /// <summary>Changes in the order they were made (a null value deletes the key).</summary>
    private sealed class Batch
    {
        public List<KeyValuePair<string, string?>> Changes { get; } = [];

        public void Put<T>(string key, T value) =>
            Changes.Add(new(key, JsonSerializer.Serialize(value, typeof(T), PersistedJson.Default)));

        public void Delete(string key) => Changes.Add(new(key, null));
    }

    /// <summary>
    /// wwwroot/js/parley-db.js, called directly ([JSImport]: strings and string arrays cross as they
    /// are) rather than through IJSRuntime, which serializes every argument and result as JSON.
    /// </summary>
    private static partial class Db
    {
        public const string Module = "parley-db";

        [JSImport("loadAll", Module)]
        public static partial Task LoadAllAsync();

        /// <summary>What <see cref="LoadAllAsync"/> read: key, value, key, value, …</summary>
        [JSImport("takeLoaded", Module)]
        [return: JSMarshalAs<JSType.Array<JSType.String>>]
        public static partial string[] TakeLoaded();

        /// <summary>Key, value, key, value, … in one IndexedDB transaction; a null value deletes the key.</summary>
        [JSImport("write", Module)]
        public static partial Task WriteAsync([JSMarshalAs<JSType.Array<JSType.String>>] string?[] changes);

        [JSImport("clear", Module)]
        public static partial Task ClearAsync();
    }
}
