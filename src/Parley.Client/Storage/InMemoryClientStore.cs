using System.Collections.Concurrent;

namespace Parley.Client.Storage;

/// <summary>
/// A client store that lives as long as the object: for tests, tools and the browser until its
/// IndexedDB store exists. <see cref="AtomicallyAsync"/> serializes but cannot roll back, which is
/// fine for memory that a crash loses anyway.
/// </summary>
public sealed partial class InMemoryClientStore : IClientStore
{
    private readonly SemaphoreSlim _atomic = new(1, 1);
    private readonly AsyncLocal<bool> _insideAtomic = new();
    private readonly ConcurrentDictionary<(PreKeyKind, uint), StoredPreKey> _preKeys = new();
    private readonly ConcurrentDictionary<(string, uint), byte[]> _sessions = new();
    private readonly ConcurrentDictionary<(string, uint, Guid), byte[]> _senderKeys = new();
    private readonly ConcurrentDictionary<(string, uint), byte[]> _identities = new();
    private readonly ConcurrentDictionary<string, Contact> _contacts = new();
    private readonly List<StoredMessage> _messages = [];
    private LocalAccount? _account;

    public async Task<T> AtomicallyAsync<T>(Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_insideAtomic.Value)
        {
            return await work();
        }
        await _atomic.WaitAsync();
        try
        {
            _insideAtomic.Value = true;
            return await work();
        }
        finally
        {
            _insideAtomic.Value = false;
            _atomic.Release();
        }
    }

    public Task<LocalAccount?> LoadAccountAsync() => Task.FromResult(_account);

    public Task SaveAccountAsync(LocalAccount account)
    {
        _account = account;
        return Task.CompletedTask;
    }

    public Task ResetAccountAsync()
    {
        _account = null;
        _preKeys.Clear();
        _sessions.Clear();
        _senderKeys.Clear();
        _identities.Clear();
        return Task.CompletedTask;
    }

    public Task<StoredPreKey?> LoadPreKeyAsync(PreKeyKind kind, uint id) => Task.FromResult(_preKeys.GetValueOrDefault((kind, id)));

    public Task StorePreKeyAsync(PreKeyKind kind, uint id, StoredPreKey key)
    {
        _preKeys[(kind, id)] = key;
        return Task.CompletedTask;
    }

    public Task RemovePreKeyAsync(PreKeyKind kind, uint id)
    {
        _preKeys.TryRemove((kind, id), out _);
        return Task.CompletedTask;
    }

    public Task<byte[]?> LoadSessionAsync(string name, uint deviceId) => Task.FromResult(_sessions.GetValueOrDefault((name, deviceId)));

    public Task StoreSessionAsync(string name, uint deviceId, byte[] record)
    {
        _sessions[(name, deviceId)] = record;
        return Task.CompletedTask;
    }

    public Task DeleteSessionAsync(string name, uint deviceId)
    {
        _sessions.TryRemove((name, deviceId), out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<uint>> ListSessionDevicesAsync(string name) =>
        Task.FromResult<IReadOnlyList<uint>>(_sessions.Keys.Where(k => k.Item1 == name).Select(k => k.Item2).Order().ToList());

    public Task<byte[]?> LoadSenderKeyAsync(string name, uint deviceId, Guid distributionId) =>
        Task.FromResult(_senderKeys.GetValueOrDefault((name, deviceId, distributionId)));

    public Task StoreSenderKeyAsync(string name, uint deviceId, Guid distributionId, byte[] record)
    {
        _senderKeys[(name, deviceId, distributionId)] = record;
        return Task.CompletedTask;
    }

    public Task<byte[]?> LoadIdentityAsync(string name, uint deviceId) => Task.FromResult(_identities.GetValueOrDefault((name, deviceId)));

    public Task StoreIdentityAsync(string name, uint deviceId, byte[] identityKey)
    {
        _identities[(name, deviceId)] = identityKey;
        return Task.CompletedTask;
    }

    public Task<Contact?> FindContactByNumberAsync(string number) => Task.FromResult(_contacts.GetValueOrDefault(number));

    public Task<Contact?> FindContactByAccountAsync(string accountId) =>
        Task.FromResult(_contacts.Values.FirstOrDefault(c => c.AccountId == accountId));

    public Task SaveContactAsync(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        foreach (var stale in _contacts.Values.Where(c => c.AccountId == contact.AccountId && c.Number != contact.Number))
        {
            _contacts.TryRemove(stale.Number, out _);
        }
        _contacts[contact.Number] = contact;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Contact>> ListContactsAsync() =>
        Task.FromResult<IReadOnlyList<Contact>>(_contacts.Values.OrderBy(c => c.Number, StringComparer.Ordinal).ToList());

    public Task<bool> AddMessageAsync(StoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_messages)
        {
            if (Find(message.PeerAccountId, message.Direction, message.MessageId) >= 0)
            {
                return Task.FromResult(false);
            }
            _messages.Add(message);
            return Task.FromResult(true);
        }
    }

    public Task<bool> HasMessageAsync(string peerAccountId, MessageDirection direction, byte[] messageId)
    {
        lock (_messages)
        {
            return Task.FromResult(Find(peerAccountId, direction, messageId) >= 0);
        }
    }

    public Task<StoredMessage?> AdvanceStatusAsync(string peerAccountId, byte[] messageId, MessageStatus status)
    {
        lock (_messages)
        {
            var index = Find(peerAccountId, MessageDirection.Outgoing, messageId);
            if (index < 0 || _messages[index].Status >= status)
            {
                return Task.FromResult<StoredMessage?>(null);
            }
            _messages[index] = _messages[index] with { Status = status };
            return Task.FromResult<StoredMessage?>(_messages[index]);
        }
    }

    public Task<IReadOnlyList<StoredMessage>> GetHistoryAsync(string peerAccountId, int limit = 1000)
    {
        lock (_messages)
        {
            var chat = _messages.Where(m => m.PeerAccountId == peerAccountId).ToList();
            return Task.FromResult<IReadOnlyList<StoredMessage>>(chat.Skip(Math.Max(0, chat.Count - limit)).ToList());
        }
    }

    public Task<IReadOnlyList<ChatSummary>> ListChatsAsync()
    {
        lock (_messages)
        {
            var chats = _messages.GroupBy(m => m.PeerAccountId)
                .Select(g => new ChatSummary(
                    _contacts.Values.FirstOrDefault(c => c.AccountId == g.Key) ?? new Contact(g.Last().PeerNumber, g.Key),
                    g.Last(), g.Count()))
                .OrderByDescending(c => _messages.LastIndexOf(c.LastMessage!))
                .ToList();
            return Task.FromResult<IReadOnlyList<ChatSummary>>(chats);
        }
    }

    private int Find(string peerAccountId, MessageDirection direction, byte[] messageId) =>
        _messages.FindIndex(m => m.PeerAccountId == peerAccountId && m.Direction == direction && m.MessageId.AsSpan().SequenceEqual(messageId));
}
