using Parley.Client.Api;
using Parley.Client.Messaging;
using Parley.Client.Sqlite;
using Parley.Client.Storage;
using Parley.Protocol.Rest;

namespace Parley.Cli;

/// <summary>One CLI invocation on one profile: opens its store, runs a command, maps failures to "error: ..." and exit code 1.</summary>
internal sealed partial class ProfileSession(DirectoryInfo profile, SqliteClientStore store)
{
    /// <summary>How long a command waits for the WebSocket before it calls the server unreachable.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    private Uri? _server;

    public static async Task<int> RunAsync(DirectoryInfo profile, Func<ProfileSession, Task<int>> command)
    {
        SqliteClientStore? store = null;
        ProfileSession? session = null;
        try
        {
            store = await SqliteClientStore.OpenAsync(profile.FullName);
            session = new ProfileSession(profile, store);
            return await command(session);
        }
        catch (Exception error) when (CliErrors.Describe(error, profile, session?._server) is { } message)
        {
            await Console.Error.WriteLineAsync("error: " + message);
            return 1;
        }
        finally
        {
            if (store is not null)
            {
                await store.DisposeAsync();
            }
        }
    }

    public async Task<int> RegisterAsync(string number, string server, string? code, string? name, string? pin, CancellationToken cancellationToken)
    {
        _server = ParseServer(server);
        var api = new ParleyApi(new HttpClient { BaseAddress = _server, Timeout = TimeSpan.FromSeconds(30) });
        var pending = await PendingRegistration.LoadAsync(profile);
        AccountRegistration registration;
        if (code is not null && pending is not null && pending.Number == number && pending.Server == _server.ToString())
        {
            // The code answers the SMS of an earlier `register` run: verify that session instead of starting a new one.
            registration = AccountRegistration.Resume(api, number, pending.SessionId);
        }
        else
        {
            registration = await AccountRegistration.StartAsync(api, number, cancellationToken);
            await new PendingRegistration(number, _server.ToString(), registration.SessionId).SaveAsync(profile);
        }
        if (code is null)
        {
            await Console.Error.WriteAsync($"Enter the 6-digit code sent to {number}: ");
            code = await Console.In.ReadLineAsync(cancellationToken);
            if (code is null)
            {
                await Console.Error.WriteLineAsync();
                throw new CliException($"no code on stdin. A code was sent to {number}; run the same command again with --code <6 digits>.");
            }
        }
        await registration.VerifyAsync(code, cancellationToken);
        LocalAccount account;
        try
        {
            account = await registration.CreateAccountAsync(store, name, registrationLock: pin, cancellationToken: cancellationToken);
        }
        catch (ParleyApiException locked) when (locked.Code == ErrorCodes.RegistrationLockRequired && pin is null)
        {
            // The number has two-step verification: the SMS code alone is not enough.
            pin = await AskAsync($"{number} has two-step verification. Enter its PIN: ", "--pin", cancellationToken);
            account = await registration.CreateAccountAsync(store, name, registrationLock: pin, cancellationToken: cancellationToken);
        }
        PendingRegistration.Delete(profile);
        await Console.Out.WriteLineAsync($"registered {account.Number} (device {account.DeviceId}) on {account.Server}");
        return 0;
    }

    public async Task<int> SendAsync(string number, string text, string? replyToHex, CancellationToken cancellationToken)
    {
        var replyTo = replyToHex is null ? null : ParseMessageId(replyToHex, "`receive --json` printed");
        await using var client = await ConnectAsync(receive: false, cancellationToken);
        await client.SendTextAsync(number, text, replyTo, cancellationToken);
        await Console.Out.WriteLineAsync("sent");
        return 0;
    }

    /// <summary>A message id as the CLI prints it (32 hex digits); <paramref name="source"/> says where the user finds one.</summary>
    private static byte[] ParseMessageId(string hex, string source)
    {
        byte[] id;
        try
        {
            id = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            id = [];
        }
        return id.Length == 16 ? id : throw new CliException($"the message id must be the 32 hex digits {source} (got \"{hex}\").");
    }

    /// <summary>Opens the client and its WebSocket, failing fast (and clearly) when the server is down.</summary>
    private async Task<ParleyClient> ConnectAsync(bool receive, CancellationToken cancellationToken, Action<ParleyClient>? beforeConnect = null)
    {
        var client = await OpenClientAsync();
        beforeConnect?.Invoke(client);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            await client.ConnectAsync(receive, timeout.Token);
            return client;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await client.DisposeAsync();
            throw new CliException($"cannot reach the Parley server at {_server} (no connection within {ConnectTimeout.TotalSeconds} s).");
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>The client of this profile, after a quick health check so "server down" is an immediate, clear error.</summary>
    private async Task<ParleyClient> OpenClientAsync(bool checkServer = true)
    {
        var client = await ParleyClient.OpenAsync(store);
        _server = client.Account.Server;
        if (checkServer)
        {
            try
            {
                await ParleyApi.ForServer(_server).GetHealthAsync();
            }
            catch
            {
                await client.DisposeAsync();
                throw;
            }
        }
        return client;
    }

    private static Uri ParseServer(string server)
    {
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException($"--server must be an http(s) URL, e.g. http://127.0.0.1:8080 (got \"{server}\").");
        }
        return uri;
    }

    public override string ToString() => profile.FullName;
}

/// <summary>A failure the CLI explains in its own words.</summary>
internal sealed class CliException(string message) : Exception(message);
