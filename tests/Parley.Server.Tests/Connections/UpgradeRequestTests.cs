using System.Text;
using Parley.Server.Connections;

namespace Parley.Server.Tests.Connections;

/// <summary>The bare-connection handshake takes only an exact, well-formed upgrade; anything else is Kestrel's to answer.</summary>
public sealed class UpgradeRequestTests
{
    private const string Good =
        "GET /v1/websocket HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Basic abc\r\n\r\n";

    [Fact]
    public void A_well_formed_upgrade_is_recognised_with_its_key_and_credentials()
    {
        var bytes = Encoding.ASCII.GetBytes(Good);
        Assert.True(UpgradeRequest.MayBeOne(bytes));
        Assert.Equal(bytes.Length, UpgradeRequest.HeadLength(bytes));
        var request = UpgradeRequest.TryParse(bytes);
        Assert.Equal(new UpgradeRequest("dGhlIHNhbXBsZSBub25jZQ==", "Basic abc", CredentialsFromSubprotocol: false), request);
    }

    [Fact]
    public void Credentials_offered_as_a_subprotocol_are_read_like_the_header()
    {
        var head = Good.Replace("Authorization: Basic abc\r\n", "Sec-WebSocket-Protocol: parley.v1\r\nSec-WebSocket-Protocol: parley-auth.YTpi\r\n", StringComparison.Ordinal);
        var request = UpgradeRequest.TryParse(Encoding.ASCII.GetBytes(head));
        Assert.Equal(new UpgradeRequest("dGhlIHNhbXBsZSBub25jZQ==", "Basic YTpi", CredentialsFromSubprotocol: true), request);
    }

    [Theory]
    [InlineData("GET /v1/websocket HTTP/1.1", "GET /v1/websocket HTTP/1.0")]
    [InlineData("GET /v1/websocket HTTP/1.1", "GET /v1/websocket/x HTTP/1.1")]
    [InlineData("Host: h\r\n", "")]
    [InlineData("Upgrade: websocket", "Upgrade: h2c")]
    [InlineData("keep-alive, Upgrade", "keep-alive")]
    [InlineData("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ=")]
    [InlineData("Authorization: Basic abc\r\n", "")]
    [InlineData("Authorization: Basic abc\r\n", "Authorization: Basic abc\r\nAuthorization: Basic def\r\n")]
    [InlineData("Host: h\r\n", "Host: h\r\n folded\r\n")]
    [InlineData("Host: h\r\n", "Host : h\r\n")]
    [InlineData("Host: h\r\n", "Host: h\r\nContent-Length: 5\r\n")]
    public void Anything_else_is_left_to_Kestrel(string part, string replacement)
    {
        var head = Good.Replace(part, replacement, StringComparison.Ordinal);
        Assert.NotEqual(Good, head);
        Assert.Null(UpgradeRequest.TryParse(Encoding.ASCII.GetBytes(head)));
    }

    [Theory]
    [InlineData("GET /v1/websocketx HTTP/1.1\r\n")]
    [InlineData("POST /v1/websocket HTTP/1.1\r\n")]
    [InlineData("\u0016\u0003\u0001")]
    [InlineData("GET /v1/websock")]
    public void Other_requests_are_not_even_parsed(string start) =>
        Assert.False(UpgradeRequest.MayBeOne(Encoding.Latin1.GetBytes(start)));

    [Fact]
    public void A_head_without_its_blank_line_is_not_complete() =>
        Assert.Equal(-1, UpgradeRequest.HeadLength(Encoding.ASCII.GetBytes(Good[..^2])));
}
