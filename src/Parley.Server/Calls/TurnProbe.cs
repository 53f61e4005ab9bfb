using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using Parley.Protocol.Rest;

namespace Parley.Server.Calls;

/// <summary>
/// The TURN self-check: asks each configured relay for a real allocation with credentials this
/// server issued — the same thing a caller's browser does when peers cannot reach each other — and
/// releases it again. Says in words what is wrong: unreachable, open relay, or a secret mismatch.
/// </summary>
public static class TurnProbe
{
    public static async Task<TurnCheckResult> CheckAsync(string url, string username, string password, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        TurnCheckResult Result(bool ok, string? relayed, string? problem) =>
            new(url, ok, relayed, problem, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1));
        if (!TurnUrl.TryParse(url, out var target))
        {
            return Result(false, null, "Not a TURN URL: use turn:host:port?transport=udp|tcp or turns:host:port?transport=tcp.");
        }
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await using var channel = await StunChannel.OpenAsync(target, cancel.Token);
            var challenge = await channel.RequestAsync(new StunMessage(StunMessage.AllocateRequest).RequestUdpRelay(), null, cancel.Token);
            if (challenge.Type == StunMessage.AllocateSuccess)
            {
                return Result(false, challenge.RelayedAddress?.ToString(),
                    "The relay gives allocations without credentials (an open relay anyone can abuse); enable use-auth-secret in coturn.");
            }
            if (challenge.Error?.Code != 401 || challenge.FindText(StunMessage.Realm) is not { } realm || challenge.Find(StunMessage.Nonce) is not { } nonce)
            {
                return Result(false, null, $"Unexpected answer to an allocation: {challenge.Error?.Code} {challenge.Error?.Reason}.");
            }
            var key = StunMessage.LongTermKey(username, realm, password);
            StunMessage Authenticated(ushort type) =>
                new StunMessage(type).Add(StunMessage.Username, username).Add(StunMessage.Realm, realm).Add(StunMessage.Nonce, nonce);
            var allocated = await channel.RequestAsync(Authenticated(StunMessage.AllocateRequest).RequestUdpRelay(), key, cancel.Token);
            if (allocated.Type != StunMessage.AllocateSuccess)
            {
                return Result(false, null, allocated.Error?.Code == 401
                    ? "The relay refused the credentials this server issued: Parley's Turn:Secret differs from coturn's static-auth-secret (or their clocks disagree)."
                    : $"The relay refused the allocation: {allocated.Error?.Code} {allocated.Error?.Reason}.");
            }
            var relayed = allocated.RelayedAddress?.ToString();
            await channel.RequestAsync(Authenticated(StunMessage.RefreshRequest).Add(StunMessage.Lifetime, [0, 0, 0, 0]), key, cancel.Token);
            return Result(true, relayed, null);
        }
        catch (OperationCanceledException)
        {
            return Result(false, null, $"No answer within {timeout.TotalSeconds:0.#} s: is coturn running, and is the port open ({target.Transport})?");
        }
        catch (Exception error) when (error is SocketException or IOException or InvalidDataException or System.Security.Authentication.AuthenticationException)
        {
            return Result(false, null, $"Cannot reach the relay: {error.Message}");
        }
    }

    /// <summary>One request/response exchange at a time over UDP (with retransmission), TCP or TLS.</summary>
    private sealed class StunChannel : IAsyncDisposable
    {
        private readonly UdpClient? _udp;
        private readonly TcpClient? _tcp;
        private readonly Stream? _stream;

        private StunChannel(UdpClient? udp, TcpClient? tcp, Stream? stream) => (_udp, _tcp, _stream) = (udp, tcp, stream);

        public static async Task<StunChannel> OpenAsync(TurnUrl target, CancellationToken cancellationToken)
        {
            if (target.Transport == "udp")
            {
                var udp = new UdpClient();
                udp.Connect(target.Host, target.Port);
                return new StunChannel(udp, null, null);
            }
            var tcp = new TcpClient();
            await tcp.ConnectAsync(target.Host, target.Port, cancellationToken);
            Stream stream = tcp.GetStream();
            if (target.Secure)
            {
                var tls = new SslStream(stream);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = target.Host }, cancellationToken);
                stream = tls;
            }
            return new StunChannel(null, tcp, stream);
        }

        public async Task<StunMessage> RequestAsync(StunMessage request, byte[]? key, CancellationToken cancellationToken)
        {
            var bytes = request.Serialize(key);
            if (_udp is not null)
            {
                // UDP may lose datagrams: resend after 0.5, 1, 2 s (RFC 8489's schedule, shortened).
                for (var wait = TimeSpan.FromMilliseconds(500); ; wait *= 2)
                {
                    await _udp.SendAsync(bytes, cancellationToken);
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    attempt.CancelAfter(wait);
                    try
                    {
                        while (true)
                        {
                            var answer = StunMessage.Parse((await _udp.ReceiveAsync(attempt.Token)).Buffer);
                            if (answer.TransactionId.AsSpan().SequenceEqual(request.TransactionId))
                            {
                                return answer;
                            }
                        }
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // Lost: send again.
                    }
                }
            }
            await _stream!.WriteAsync(bytes, cancellationToken);
            var header = new byte[20];
            await _stream.ReadExactlyAsync(header, cancellationToken);
            var message = new byte[StunMessage.LengthFromHeader(header)];
            header.CopyTo(message, 0);
            await _stream.ReadExactlyAsync(message.AsMemory(20), cancellationToken);
            return StunMessage.Parse(message);
        }

        public async ValueTask DisposeAsync()
        {
            _udp?.Dispose();
            if (_stream is not null)
            {
                await _stream.DisposeAsync();
            }
            _tcp?.Dispose();
        }
    }
}

/// <summary>A parsed <c>turn:</c> / <c>turns:</c> URL (RFC 7065).</summary>
public sealed record TurnUrl(bool Secure, string Host, int Port, string Transport)
{
    public static bool TryParse(string url, out TurnUrl parsed)
    {
        parsed = null!;
        var secure = url.StartsWith("turns:", StringComparison.OrdinalIgnoreCase);
        if (!secure && !url.StartsWith("turn:", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var rest = url[(secure ? 6 : 5)..];
        var transport = secure ? "tcp" : "udp";
        if (rest.IndexOf('?', StringComparison.Ordinal) is var query and >= 0)
        {
            var parameter = rest[(query + 1)..];
            rest = rest[..query];
            if (!parameter.StartsWith("transport=", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            transport = parameter["transport=".Length..].ToLowerInvariant();
        }
        var colon = rest.LastIndexOf(':');
        var host = colon > 0 ? rest[..colon] : rest;
        var port = secure ? 5349 : 3478;
        if ((colon > 0 && !int.TryParse(rest[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out port))
            || host.Length == 0 || transport is not ("udp" or "tcp") || (secure && transport == "udp"))
        {
            return false;
        }
        parsed = new TurnUrl(secure, host.Trim('[', ']'), port, transport);
        return true;
    }
}
