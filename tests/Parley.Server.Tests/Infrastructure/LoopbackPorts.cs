using System.Net;
using System.Net.Sockets;

namespace Parley.Server.Tests.Infrastructure;

/// <summary>
/// Ports for the servers tests start (Parley, its Orleans silo, coturn, webhooks).
/// A port the kernel hands out for "any free port" comes from its ephemeral range, the same range
/// every outgoing connection takes its local port from: with many tests connecting at once, one of
/// them could take the port between the pick and the server's bind, and the server would fail to
/// start. So ports are picked just below that range, checked free, and never handed out twice.
/// </summary>
public static class LoopbackPorts
{
    private const int Span = 10_000;
    private static readonly HashSet<int> Handed = [];
    private static readonly int EphemeralStart = ReadEphemeralStart();

    public static int Free()
    {
        if (EphemeralStart - Span < 1024)
        {
            return AnyFreePort(); // an unusual kernel setting leaves no room below the range
        }
        while (true)
        {
            var port = Random.Shared.Next(EphemeralStart - Span, EphemeralStart);
            lock (Handed)
            {
                if (!Handed.Add(port))
                {
                    continue;
                }
            }
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Held by something else on the machine: pick another.
            }
        }
    }

    private static int AnyFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int ReadEphemeralStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var start)
            ? start
            : 32768; // Linux's default
    }
}
