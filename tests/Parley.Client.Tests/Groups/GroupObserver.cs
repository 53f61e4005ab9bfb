using System.Threading.Channels;
using Parley.Client.Messaging;
using Parley.Client.Storage;
using Parley.Client.Tests.Infrastructure;
using Parley.Crypto;
using Parley.Crypto.Groups;
using Parley.Crypto.Stores;
using Parley.Protocol.Groups;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Groups;

/// <summary>What a member's group chat UI would see: group messages, group changes and tick changes, collected in channels.</summary>
public sealed class GroupObserver
{
    private readonly Channel<GroupMessage> _messages = Channel.CreateUnbounded<GroupMessage>();
    private readonly Channel<GroupChangedEvent> _changes = Channel.CreateUnbounded<GroupChangedEvent>();
    private readonly Channel<GroupMessage> _statuses = Channel.CreateUnbounded<GroupMessage>();

    private GroupObserver(TestDevice device) => Device = device;

    public TestDevice Device { get; }

    public ParleyClient Client => Device.Client;

    public static async Task<GroupObserver> RegisterAsync(ParleyServer server, bool connect = true)
    {
        var observer = new GroupObserver(await TestDevice.RegisterAsync(server, connect: false));
        await observer.OpenAsync(connect);
        return observer;
    }

    /// <summary>Subscribes before connecting, so nothing queued on the server is missed.</summary>
    public async Task OpenAsync(bool connect = true)
    {
        await Device.CloseAsync();
        await Device.OpenAsync(connect: false);
        Client.GroupMessageReceived += m => _messages.Writer.TryWrite(m);
        Client.GroupChanged += e => _changes.Writer.TryWrite(e);
        Client.GroupMessageStatusChanged += m => _statuses.Writer.TryWrite(m);
        if (connect)
        {
            await Client.ConnectAsync().WaitAsync(TestDevice.Timeout);
        }
    }

    public Task CloseAsync() => Device.CloseAsync();

    public Task<GroupMessage> NextMessageAsync(string what) => ReadAsync(_messages, _ => true, what);

    public Task<GroupChangedEvent> NextChangeAsync(GroupEventKind kind, string what) => ReadAsync(_changes, e => e.Kind == kind, what);

    public Task<GroupMessage> StatusAsync(byte[] messageId, MessageStatus status, string what) =>
        ReadAsync(_statuses, m => m.MessageId.AsSpan().SequenceEqual(messageId) && m.Status >= status, what);

    public async Task NoMessageAsync(TimeSpan quietPeriod, string what)
    {
        using var timeout = new CancellationTokenSource(quietPeriod);
        try
        {
            var message = await _messages.Reader.ReadAsync(timeout.Token);
            Assert.Fail($"{Device.Number} expected no {what}, but received \"{message.Text}\".");
        }
        catch (OperationCanceledException)
        {
            // Quiet, as expected.
        }
    }

    /// <summary>Parley.Crypto's sender-key store over this member's client store, to try decryptions by hand.</summary>
    public ISenderKeyStore SenderKeys => new ClientSenderKeys(Device.Store);

    private async Task<T> ReadAsync<T>(Channel<T> channel, Func<T, bool> match, string what)
    {
        using var timeout = new CancellationTokenSource(TestDevice.Timeout);
        try
        {
            while (true)
            {
                var item = await channel.Reader.ReadAsync(timeout.Token);
                if (match(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Device.Number} expected {what} within {TestDevice.Timeout.TotalSeconds} s. Decryption failures: "
                + string.Join("; ", Device.DecryptionFailures.Select(f => f.Reason)));
        }
    }

    private sealed class ClientSenderKeys(IClientStore store) : ISenderKeyStore
    {
        public async Task<SenderKeyRecord?> LoadSenderKeyAsync(ProtocolAddress sender, Guid distributionId) =>
            await store.LoadSenderKeyAsync(sender.Name, sender.DeviceId, distributionId) is { } bytes ? SenderKeyRecord.Deserialize(bytes) : null;

        public Task StoreSenderKeyAsync(ProtocolAddress sender, Guid distributionId, SenderKeyRecord record) =>
            store.StoreSenderKeyAsync(sender.Name, sender.DeviceId, distributionId, record.Serialize());
    }
}
