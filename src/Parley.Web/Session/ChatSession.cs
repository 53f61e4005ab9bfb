using System.Diagnostics;
using Microsoft.JSInterop;
using Parley.Client.Api;
using Parley.Client.Devices;
using Parley.Client.Messaging;
using Parley.Client.Storage;
using Parley.Client.Transport;
using Parley.Web.Storage;

namespace Parley.Web.Session;

public enum SessionPhase
{
    Loading,
    SignedOut,
    Ready,
}

/// <summary>
/// The web client's one piece of state: the local store, the SDK client of this browser's account
/// and what the screens show live (connection, presence, typing). Components render from it and
/// re-render on <see cref="Changed"/>. Everything runs on the browser's single thread: nothing here
/// blocks, every wait is awaited.
/// </summary>
public sealed partial class ChatSession(IJSRuntime js, Uri server) : IAsyncDisposable
{
    /// <summary>Fewer one-time keys per upload than native clients: key generation runs interpreted in the browser.</summary>
    private static readonly ClientOptions Options = new() { PreKeyBatchSize = 25, PreKeyLowWatermark = 10 };

    private CancellationTokenSource _stopping = new();

    public SessionPhase Phase { get; private set; } = SessionPhase.Loading;

    public IndexedDbClientStore Store { get; private set; } = null!;

    public ParleyClient? Client { get; private set; }

    public ConnectionState Connection { get; private set; } = ConnectionState.Connecting;

    /// <summary>How long the last text took from "send" to the server's acknowledgement (encrypt + send), for the README's numbers.</summary>
    public TimeSpan? LastSendDuration { get; private set; }

    /// <summary>Something the screens show changed (a message, a tick, presence, connection state).</summary>
    public event Action? Changed;

    public Uri Server => server;

    public ParleyApi NewApi() => new(new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) });

    public async Task StartAsync()
    {
        Store = await IndexedDbClientStore.OpenAsync(server);
        if (await Store.LoadAccountAsync() is null)
        {
            SetPhase(SessionPhase.SignedOut);
            return;
        }
        await OpenClientAsync();
    }

    /// <summary>Step 1 of registering: the server texts a code (on the embedded default: into the dev outbox).</summary>
    public Task<AccountRegistration> RequestCodeAsync(string number) => AccountRegistration.StartAsync(NewApi(), number.Trim());

    /// <summary>Step 2: checks the code, creates the account with fresh keys kept in IndexedDB, then opens the chats.</summary>
    public async Task CompleteRegistrationAsync(AccountRegistration registration, string code)
    {
        await registration.VerifyAsync(code);
        await registration.CreateAccountAsync(Store, "Web browser", Options);
        NeedsProfile = true;
        await OpenClientAsync();
    }

    /// <summary>Presents this browser to the primary with a link code; the caller shows the fingerprint and awaits approval.</summary>
    public Task<NewDeviceLink> PresentLinkAsync(string code) =>
        NewDeviceLink.PresentAsync(NewApi(), Store, LinkPayload.Parse(code), "Web browser");

    public async Task CompleteLinkAsync(NewDeviceLink link, CancellationToken cancellationToken)
    {
        await link.WaitForApprovalAsync(Options, cancellationToken);
        await OpenClientAsync();
    }

    /// <summary>Signs out: forgets this browser's keys, sessions and history (the account stays registered elsewhere).</summary>
    public async Task SignOutAsync()
    {
        await CloseClientAsync();
        await ForgetMediaAsync();
        await Store.WipeAsync();
        SetPhase(SessionPhase.SignedOut);
    }

    private async Task OpenClientAsync()
    {
        var account = (await Store.LoadAccountAsync())!;
        var client = await ParleyClient.OpenAsync(Store, await WithCallOptionsAsync(Options), new HttpClient { BaseAddress = account.Server, Timeout = TimeSpan.FromSeconds(30) });
        client.MessageReceived += message => StopTyping(message.PeerAccountId, message.PeerAccountId);
        client.MessageStatusChanged += _ => Notify();
        client.GroupMessageReceived += message => StopTyping("group:" + message.GroupId, message.SenderAccountId);
        client.GroupMessageStatusChanged += _ => Notify();
        client.IdentityChanged += _ => Notify();
        client.HistoryReceived += _ => Notify();
        client.GroupChanged += change => _ = RecordGroupChangeAsync(change);
        client.PresenceChanged += OnPresence;
        client.TypingChanged += OnTyping;
        AttachCalls(client);
        WatchMedia(client);
        Client = client;
        SetPhase(SessionPhase.Ready);
        _ = RunConnectionAsync(client, _stopping.Token);
    }

    private async Task CloseClientAsync()
    {
        await _stopping.CancelAsync();
        if (Client is not null)
        {
            await Client.DisposeAsync();
            Client = null;
        }
        _stopping = new CancellationTokenSource();
        _presence.Clear();
        _typing.Clear();
        _profiles.Clear();
        _blocked = null;
    }

    private async Task RunConnectionAsync(ParleyClient client, CancellationToken stopping)
    {
        var connecting = client.ConnectAsync(receive: true, stopping);
        var transport = client.Transport!;
        transport.StateChanged += state => _ = OnConnectionStateAsync(state);
        await OnConnectionStateAsync(transport.State);
        try
        {
            await connecting;
            await client.RefreshGroupsAsync(stopping);
            Notify();
        }
        catch (Exception error) when (error is OperationCanceledException or HttpRequestException or ParleyApiException or LoggedOutException)
        {
            // The state banner says what happened; the connection keeps retrying on its own.
        }
    }

    private async Task OnConnectionStateAsync(ConnectionState state)
    {
        Connection = state;
        Notify();
        if (state == ConnectionState.Connected)
        {
            await ResubscribePresenceAsync();
            await SendQueuedAsync();
        }
    }

    private async Task RecordGroupChangeAsync(GroupChangedEvent change)
    {
        await Store.AddGroupEventAsync(new GroupEventLine(change.Group.GroupId, change.Description, change.Timestamp));
        Notify();
    }

    private bool _notifying;

    /// <summary>
    /// Tells the screens to re-read the session, once for all changes of the current step and after
    /// it: a component's refresh and render run on the same thread, and ran inside a send (between
    /// the server's acknowledgement and the send's end) or once per change of a burst.
    /// </summary>
    internal void Notify()
    {
        if (_notifying)
        {
            return;
        }
        _notifying = true;
        _ = NotifySoonAsync();
    }

    private async Task NotifySoonAsync()
    {
        await Task.Yield();
        _notifying = false;
        Changed?.Invoke();
    }

    private void SetPhase(SessionPhase phase)
    {
        Phase = phase;
        Notify();
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static Stopwatch StartTiming() => Stopwatch.StartNew();

    public async ValueTask DisposeAsync() => await CloseClientAsync();
}
