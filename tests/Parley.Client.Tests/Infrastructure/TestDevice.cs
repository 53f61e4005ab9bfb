using System.Security.Cryptography;
using System.Threading.Channels;
using Parley.Client.Api;
using Parley.Client.Messaging;
using Parley.Client.Storage;
using Parley.Client.Transport;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Infrastructure;

/// <summary>
/// One user's phone in a test: a real <see cref="ParleyClient"/> over a store, registered through
/// SMS verification on a real server, with what the UI would show collected in channels.
/// </summary>
public sealed class TestDevice : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static readonly ConnectionOptions FastReconnect = new() { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) };

    private Channel<StoredMessage> _received = Channel.CreateUnbounded<StoredMessage>();
    private Channel<StoredMessage> _statusChanges = Channel.CreateUnbounded<StoredMessage>();
    private Channel<IdentityChangedEvent> _identityChanges = Channel.CreateUnbounded<IdentityChangedEvent>();

    private TestDevice(ParleyServer server, string number, IClientStore store, ClientOptions options)
    {
        Server = server;
        Number = number;
        Store = store;
        Options = options;
    }

    public ParleyServer Server { get; }

    public string Number { get; }

    public IClientStore Store { get; }

    public ClientOptions Options { get; }

    public ParleyClient Client { get; private set; } = null!;

    public List<DecryptionFailedEvent> DecryptionFailures { get; } = [];

    public static string NewNumber() => "+1666" + RandomNumberGenerator.GetInt32(0, 10_000_000).ToString("D7", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Registers <paramref name="number"/> (a fresh one by default) and, unless told otherwise, connects.</summary>
    public static async Task<TestDevice> RegisterAsync(ParleyServer server, string? number = null, IClientStore? store = null,
        ClientOptions? options = null, bool connect = true)
    {
        number ??= NewNumber();
        store ??= new InMemoryClientStore();
        options ??= new ClientOptions { Connection = FastReconnect };
        var registration = await AccountRegistration.StartAsync(server.NewApi(), number);
        await registration.VerifyAsync(await server.ReadCodeAsync(number));
        await registration.CreateAccountAsync(store, "test phone", options);
        var device = new TestDevice(server, number, store, options);
        await device.OpenAsync(connect);
        return device;
    }

    /// <summary>A device whose store already holds a registration (e.g. a reopened profile).</summary>
    public static async Task<TestDevice> OpenExistingAsync(ParleyServer server, string number, IClientStore store, ClientOptions? options = null)
    {
        var device = new TestDevice(server, number, store, options ?? new ClientOptions { Connection = FastReconnect });
        await device.OpenAsync();
        return device;
    }

    /// <summary>Like an app start: a new client over the same store.</summary>
    public async Task OpenAsync(bool connect = true)
    {
        Client = await ParleyClient.OpenAsync(Store, Options);
        Client.MessageReceived += m => _received.Writer.TryWrite(m);
        Client.MessageStatusChanged += m => _statusChanges.Writer.TryWrite(m);
        Client.IdentityChanged += e => _identityChanges.Writer.TryWrite(e);
        Client.DecryptionFailed += e =>
        {
            lock (DecryptionFailures)
            {
                DecryptionFailures.Add(e);
            }
        };
        if (connect)
        {
            await Client.ConnectAsync().WaitAsync(Timeout);
        }
    }

    /// <summary>Like an app being closed: the connection goes away, the store stays.</summary>
    public async Task CloseAsync()
    {
        await Client.DisposeAsync();
        _received = Channel.CreateUnbounded<StoredMessage>();
        _statusChanges = Channel.CreateUnbounded<StoredMessage>();
        _identityChanges = Channel.CreateUnbounded<IdentityChangedEvent>();
    }

    public Task<StoredMessage> SendAsync(TestDevice to, string text) => Client.SendTextAsync(to.Number, text).WaitAsync(Timeout);

    public async Task<StoredMessage> NextMessageAsync(string what)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Number} expected {what} within {Timeout.TotalSeconds} s, but none arrived. Decryption failures: "
                + string.Join("; ", DecryptionFailures.Select(f => f.Reason)));
        }
    }

    public async Task NoMessageAsync(TimeSpan quietPeriod, string what)
    {
        using var timeout = new CancellationTokenSource(quietPeriod);
        try
        {
            var message = await _received.Reader.ReadAsync(timeout.Token);
            Assert.Fail($"{Number} expected no {what}, but received \"{message.Text}\".");
        }
        catch (OperationCanceledException)
        {
            // Quiet, as expected.
        }
    }

    /// <summary>Waits until the outgoing message <paramref name="messageId"/> reaches <paramref name="status"/>.</summary>
    public async Task WaitForStatusAsync(byte[] messageId, MessageStatus status, string what)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            while (true)
            {
                var change = await _statusChanges.Reader.ReadAsync(timeout.Token);
                if (change.MessageId.AsSpan().SequenceEqual(messageId) && change.Status >= status)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Number} expected {what} (status {status}) within {Timeout.TotalSeconds} s.");
        }
    }

    public async Task<IdentityChangedEvent> NextIdentityChangeAsync(string what)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            return await _identityChanges.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Number} expected {what} within {Timeout.TotalSeconds} s.");
        }
    }

    public ParleyApi Api() => Server.NewApi();

    public async ValueTask DisposeAsync() => await Client.DisposeAsync();
}
