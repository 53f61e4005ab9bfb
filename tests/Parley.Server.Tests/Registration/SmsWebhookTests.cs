using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Parley.Client.Api;
using Parley.Protocol.Rest;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Registration;

/// <summary>
/// Codes handed to a real SMS gateway over HTTP. The gateway here is a plain HTTP listener on
/// loopback standing in for the operator's provider, which the test cannot run.
/// </summary>
public sealed class SmsWebhookTests : IAsyncLifetime
{
    private readonly HttpListener _gateway = new();
    private readonly List<JsonElement> _received = [];
    private int _failWith;
    private ParleyServer _server = null!;

    public async Task InitializeAsync()
    {
        var port = LoopbackPorts.Free();
        _gateway.Prefixes.Add($"http://127.0.0.1:{port}/sms/");
        _gateway.Start();
        _ = Task.Run(ServeAsync);
        _server = await ParleyServer.StartAsync(DatabaseKind.Sqlite,
            new Dictionary<string, string> { ["Parley:SmsWebhookUrl"] = $"http://127.0.0.1:{port}/sms/" });
    }

    [Fact]
    public async Task Code_is_posted_to_the_gateway_and_verifies()
    {
        var api = _server.NewApi();
        var number = TestUser.NewNumber();
        var session = await api.StartRegistrationAsync(number);

        JsonElement sms;
        lock (_received)
        {
            sms = Assert.Single(_received);
        }
        Assert.Equal(number, sms.GetProperty("to").GetString());
        var code = sms.GetProperty("code").GetString()!;
        Assert.Matches("^[0-9]{6}$", code);
        Assert.Contains(code, sms.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(_server.Process.SmsOutboxPath), "With a gateway configured, no code may land in the outbox file.");
        Assert.True((await api.VerifyCodeAsync(session.SessionId, code)).Verified);
    }

    [Fact]
    public async Task Gateway_failure_is_reported_as_sms_unavailable()
    {
        Volatile.Write(ref _failWith, 500);
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => _server.NewApi().StartRegistrationAsync(TestUser.NewNumber()));
        Assert.Equal(HttpStatusCode.BadGateway, error.Status);
        Assert.Equal(ErrorCodes.SmsUnavailable, error.Code);
    }

    private async Task ServeAsync()
    {
        while (_gateway.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _gateway.GetContextAsync();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.InputStream);
            var failWith = Volatile.Read(ref _failWith);
            if (failWith == 0)
            {
                lock (_received)
                {
                    _received.Add(body);
                }
            }
            context.Response.StatusCode = failWith == 0 ? 200 : failWith;
            context.Response.Close();
        }
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _gateway.Close();
    }
}
