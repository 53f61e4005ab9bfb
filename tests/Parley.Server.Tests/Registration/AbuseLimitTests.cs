using System.Net;
using Parley.Client.Api;
using Parley.Protocol.Rest;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Registration;

/// <summary>A server with deliberately low abuse limits, to see them bite.</summary>
public sealed class LowLimitsServerFixture : IAsyncLifetime
{
    public ParleyServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ParleyServer.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
    {
        ["Parley:Limits:RegistrationRequestsPerIpPerMinute"] = "6",
        ["Parley:Limits:MessagesPerConnectionPerSecond"] = "5",
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class AbuseLimitTests(LowLimitsServerFixture fixture) : IClassFixture<LowLimitsServerFixture>
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Registration_and_messaging_limits_answer_rate_limited_with_a_retry_hint()
    {
        // Two users use 2 of the 6 code requests this IP has per minute.
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);

        var socket = await alice.ConnectAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            try
            {
                await socket.SendAsync(TestUser.MessageTo(bob, $"spam {i}"));
                return (ErrorCode?)null;
            }
            catch (Client.Transport.SendRejectedException rejected)
            {
                Assert.True(rejected.Error.RetryAfterMs > 0);
                return rejected.Code;
            }
        }));
        Assert.Contains((ErrorCode?)null, results);
        Assert.Contains((ErrorCode?)ErrorCode.RateLimited, results);

        var api = Server.NewApi();
        ParleyApiException? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            try
            {
                await api.StartRegistrationAsync(TestUser.NewNumber());
            }
            catch (ParleyApiException error)
            {
                limited = error;
            }
        }
        Assert.NotNull(limited);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal(ErrorCodes.RateLimited, limited.Code);
        Assert.True(limited.RetryAfterSeconds > 0);
    }
}
