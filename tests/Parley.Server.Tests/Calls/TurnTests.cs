using Parley.Client.Api;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Calls;

/// <summary>TURN for calls behind NAT: credentials a real coturn accepts, and a self-check that says what is wrong.</summary>
public sealed class TurnTests
{
    private static Dictionary<string, string> TurnSettings(string secret, params string[] urls)
    {
        var settings = new Dictionary<string, string> { ["Parley:Turn:Secret"] = secret };
        for (var i = 0; i < urls.Length; i++)
        {
            settings[$"Parley:Turn:Urls:{i}"] = urls[i];
        }
        return settings;
    }

    [Fact]
    public async Task Issued_credentials_get_a_relay_from_coturn_over_udp_and_tcp()
    {
        await using var coturn = await CoturnProcess.StartAsync();
        await using var server = await ParleyServer.StartAsync(DatabaseKind.Sqlite, TurnSettings(coturn.Secret, coturn.UdpUrl, coturn.TcpUrl));
        await using var user = await TestUser.RegisterAsync(server, preKeys: 0);

        var ice = await user.Api.GetIceServersAsync(user.Credentials);
        var relay = Assert.Single(ice.IceServers);
        Assert.Equal([coturn.UdpUrl, coturn.TcpUrl], relay.Urls);
        var expiry = long.Parse(relay.Username!.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(user.AccountId, relay.Username.Split(':')[1]);
        Assert.InRange(expiry - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ice.TtlSeconds - 60, ice.TtlSeconds + 1);
        foreach (var url in relay.Urls)
        {
            // The very credentials a browser would get, used against the real relay.
            var allocation = await Server.Calls.TurnProbe.CheckAsync(url, relay.Username, relay.Credential!, TimeSpan.FromSeconds(5));
            Assert.True(allocation.Ok, allocation.Problem);
            Assert.StartsWith("127.0.0.1:", allocation.RelayedAddress, StringComparison.Ordinal);
        }
        var forged = await Server.Calls.TurnProbe.CheckAsync(coturn.UdpUrl, relay.Username, "not-the-password", TimeSpan.FromSeconds(5));
        Assert.False(forged.Ok);

        var check = await user.Api.CheckTurnAsync(user.Credentials);
        Assert.True(check.Ok, string.Join("; ", check.Checks.Select(c => c.Problem)));
        Assert.Equal(2, check.Checks.Count);
    }

    [Fact]
    public async Task The_self_check_names_a_secret_mismatch_and_an_unreachable_relay()
    {
        await using var coturn = await CoturnProcess.StartAsync();
        var nothingThere = $"turn:127.0.0.1:{coturn.Port + 7}?transport=tcp";
        await using var server = await ParleyServer.StartAsync(DatabaseKind.Sqlite, TurnSettings("a-different-secret", coturn.UdpUrl, nothingThere, "http://not-turn"));
        await using var user = await TestUser.RegisterAsync(server, preKeys: 0);

        var check = await user.Api.CheckTurnAsync(user.Credentials);
        Assert.True(check.Configured);
        Assert.False(check.Ok);
        Assert.Contains("static-auth-secret", check.Checks[0].Problem, StringComparison.Ordinal);
        Assert.StartsWith("Cannot reach the relay", check.Checks[1].Problem, StringComparison.Ordinal);
        Assert.StartsWith("Not a TURN URL", check.Checks[2].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_relay_configured_clients_get_no_ice_servers_and_the_check_says_so()
    {
        await using var server = await ParleyServer.StartAsync(DatabaseKind.Sqlite);
        await using var user = await TestUser.RegisterAsync(server, preKeys: 0);
        Assert.Empty((await user.Api.GetIceServersAsync(user.Credentials)).IceServers);
        var check = await user.Api.CheckTurnAsync(user.Credentials);
        Assert.False(check.Configured);
        Assert.Empty(check.Checks);
        await Assert.ThrowsAsync<ParleyApiException>(() => server.NewApi().GetIceServersAsync(new DeviceCredentials(user.AccountId, 1, "wrong")));
    }
}
