using Parley.Client.Api;
using Parley.Client.Storage;
using Parley.Client.Transport;
using Parley.Crypto;
using Parley.Crypto.Fingerprints;
using Parley.Crypto.Keys;

namespace Parley.Client.Messaging;

/// <summary>
/// A registered device that encrypts everything: the SDK's entry point for apps. Sends text to a
/// phone number (looking it up, starting sessions from prekey bundles, encrypting for every device
/// and recovering from stale device lists), decrypts incoming envelopes, stores them and only then
/// acks them, tracks receipts as message status, keeps the server stocked with prekeys, and
/// raises <see cref="IdentityChanged"/> when a peer's safety number changes.
/// </summary>
/// <remarks>
/// Session operations run inside <see cref="IClientStore.AtomicallyAsync{T}"/>, which serializes
/// them: Parley.Crypto requires one operation per remote address at a time. Events are raised on
/// background threads.
/// </remarks>
public sealed partial class ParleyClient : IAsyncDisposable
{
    private readonly IClientStore _store;
    private readonly ParleyApi _api;
    private readonly ClientOptions _options;
    private readonly ClientProtocolStore _protocol;
    private readonly PreKeyUploader _preKeys;
    private readonly IdentityKeyPair _identity;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _idleLock = new();
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _busy;
    private ParleyConnection? _connection;
    private Task? _receiveLoop;
    private int _disposed;

    private ParleyClient(IClientStore store, LocalAccount account, ParleyApi api, ClientOptions options)
    {
        _store = store;
        _api = api;
        _options = options;
        Account = account;
        _identity = IdentityKeyPair.Deserialize(account.IdentityKeyPair);
        _protocol = new ClientProtocolStore(store, _identity, account.RegistrationId);
        _protocol.IdentityReplaced += OnIdentityReplacedAsync;
        _preKeys = new PreKeyUploader(store, api, options);
    }

    /// <summary>The registration this client acts for (secrets inside; do not log it whole).</summary>
    public LocalAccount Account { get; }

    public string Number => Account.Number;

    public string AccountId => Account.AccountId;

    public ConnectionState ConnectionState => _connection?.State ?? ConnectionState.Connecting;

    /// <summary>The WebSocket (presence, typing, state changes); set as soon as <see cref="ConnectAsync"/> starts.</summary>
    public ParleyConnection? Transport => _connection;

    /// <summary>A message arrived, was decrypted and stored (its envelope is acked right after).</summary>
    public event Action<StoredMessage>? MessageReceived;

    /// <summary>An outgoing message moved to <see cref="MessageStatus.Sent"/>, Delivered or Read.</summary>
    public event Action<StoredMessage>? MessageStatusChanged;

    /// <summary>A peer's identity key changed; the UI must show it (see <see cref="IdentityChangedEvent"/>).</summary>
    public event Action<IdentityChangedEvent>? IdentityChanged;

    public event Action<DecryptionFailedEvent>? DecryptionFailed;

    /// <summary>Opens the client of the account in <paramref name="store"/>; no network yet.</summary>
    /// <exception cref="NotRegisteredException">The store holds no account.</exception>
    public static async Task<ParleyClient> OpenAsync(IClientStore store, ClientOptions? options = null, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var account = await store.LoadAccountAsync() ?? throw new NotRegisteredException();
        var api = new ParleyApi(http ?? new HttpClient { BaseAddress = account.Server, Timeout = TimeSpan.FromSeconds(30) });
        return new ParleyClient(store, account, api, options ?? new ClientOptions());
    }

    /// <summary>
    /// Opens the WebSocket and, with <paramref name="receive"/>, starts decrypting incoming
    /// envelopes (without it they stay queued on the server, e.g. for a send-only tool). Tops up
    /// prekeys when the server runs low.
    /// </summary>
    /// <exception cref="LoggedOutException">The server no longer knows this device (re-registered elsewhere).</exception>
    public async Task ConnectAsync(bool receive = true, CancellationToken cancellationToken = default)
    {
        if (_connection is not null)
        {
            return;
        }
        _connection = new ParleyConnection(Account.Server, Account.Credentials, _options.Connection);
        await _connection.ConnectAsync(cancellationToken);
        if (receive)
        {
            _receiveLoop = Task.Run(() => ReceiveLoopAsync(_connection, _stopping.Token));
        }
        StartSignalLoop();
        if (IsPrimary)
        {
            await EnsureProfileKeyAsync(); // accounts registered before profile keys get theirs now
        }
        await _preKeys.ReplenishAsync(cancellationToken);
    }

    /// <summary>Completes when everything queued for this device while it was offline has been decrypted, stored and acked.</summary>
    public async Task WaitUntilCaughtUpAsync(CancellationToken cancellationToken = default)
    {
        var connection = _connection ?? throw new InvalidOperationException("Connect first.");
        await connection.WaitUntilDrainedAsync(cancellationToken);
        while (true)
        {
            Task idle;
            lock (_idleLock)
            {
                if (!_busy && !connection.Envelopes.TryPeek(out _))
                {
                    return;
                }
                idle = _idle.Task;
            }
            await idle.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Checks the server's one-time key counts now and uploads a batch of each kind that runs low.</summary>
    public Task<bool> ReplenishPreKeysAsync(CancellationToken cancellationToken = default) => _preKeys.ReplenishAsync(cancellationToken);

    public Task<IReadOnlyList<ChatSummary>> ListChatsAsync() => _store.ListChatsAsync();

    /// <summary>The conversation with <paramref name="number"/>, oldest first (empty if we never wrote).</summary>
    public async Task<IReadOnlyList<StoredMessage>> GetHistoryAsync(string number) =>
        await _store.FindContactByNumberAsync(number) is { } contact ? await _store.GetHistoryAsync(contact.AccountId) : [];

    /// <summary>
    /// The 60-digit safety number with <paramref name="number"/> (libsignal's displayable
    /// fingerprint, version 2, account ids as stable ids): equal on both phones when no one is in the
    /// middle. Starts a session first if we have never seen the peer's identity key.
    /// </summary>
    /// <exception cref="UnknownNumberException">The number is not registered.</exception>
    public async Task<string> GetSafetyNumberAsync(string number, CancellationToken cancellationToken = default)
    {
        var contact = await ResolveAsync(number, cancellationToken);
        var address = new ProtocolAddress(contact.AccountId, 1);
        var theirs = await _protocol.GetIdentityAsync(address);
        if (theirs is null)
        {
            await FetchSessionsAsync(contact.AccountId, 1, cancellationToken);
            theirs = await _protocol.GetIdentityAsync(address) ?? throw new InvalidOperationException("The server sent no identity key.");
        }
        var fingerprint = Fingerprint.Create(2, StableId(AccountId), _identity.IdentityKey, StableId(contact.AccountId), theirs);
        return fingerprint.Displayable.DisplayText;
    }

    /// <summary>Clears the "safety number changed" flag of a chat after the user saw it.</summary>
    public async Task AcknowledgeIdentityChangeAsync(string number)
    {
        if (await _store.FindContactByNumberAsync(number) is { IdentityChangedAt: not null } contact)
        {
            await _store.SaveContactAsync(contact with { IdentityChangedAt = null });
        }
    }

    private static byte[] StableId(string accountId) =>
        Guid.TryParse(accountId, out var guid) ? guid.ToByteArray(bigEndian: true) : System.Text.Encoding.UTF8.GetBytes(accountId);

    private async Task OnIdentityReplacedAsync(ProtocolAddress address)
    {
        var contact = await _store.FindContactByAccountAsync(address.Name);
        if (contact is not null)
        {
            await _store.SaveContactAsync(contact with { IdentityChangedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
        }
        IdentityChanged?.Invoke(new IdentityChangedEvent(contact?.Number ?? address.Name, address.Name, address.DeviceId));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        if (_receiveLoop is not null)
        {
            try
            {
                await _receiveLoop;
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting for envelopes.
            }
        }
        _stopping.Dispose();
    }
}
