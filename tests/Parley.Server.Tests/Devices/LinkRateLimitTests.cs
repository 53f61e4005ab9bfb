using System.Net;
using Parley.Client.Api;
using Parley.Protocol.Rest;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Devices;

/// <summary>Guessing link codes is rate-limited per IP with the default limits (a server of its own, not the relaxed test one).</summary>
public sealed class LinkRateLimitTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task The_eleventh_code_presented_from_one_IP_within_a_minute_is_refused_with_a_retry_hint()
    {
        var api = fixture.Server.NewApi();
        for (var i = 0; i < 10; i++)
        {
            var wrong = await Assert.ThrowsAsync<ParleyApiException>(() => LinkedTestDevice.PresentAsync(api, $"{i:D5}-00000"));
            Assert.Equal(DeviceErrorCodes.InvalidLinkCode, wrong.Code);
        }
        var limited = await Assert.ThrowsAsync<ParleyApiException>(() => LinkedTestDevice.PresentAsync(api, "00000-00010"));
        Assert.Equal((HttpStatusCode.TooManyRequests, ErrorCodes.RateLimited), (limited.Status, limited.Code));
        Assert.True(limited.RetryAfterSeconds > 0);
    }
}
