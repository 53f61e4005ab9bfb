using Parley.Server.Hosting;

namespace Parley.Server.Connections;

/// <summary>
/// Keeps every device WebSocket of this node alive with one timer, rather than one per socket: each
/// connection is pinged once per interval and cut off when it has sent nothing for the timeout (the
/// device reconnects and reads what it missed from its queue). The connections are spread over
/// <see cref="Slots"/> ticks per interval: pinging all at once would have every socket buffer a ping
/// and its pong at the same moment, and the memory pools keep that peak.
/// </summary>
public sealed class KeepAliveSweep(ConnectionRegistry registry, KeepAliveOptions options) : BackgroundService
{
    public const int Slots = 32;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Interval / Slots);
        var slot = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                registry.KeepAlive(slot, options.Timeout);
                slot = (slot + 1) % Slots;
            }
        }
        catch (OperationCanceledException)
        {
            // The server is stopping.
        }
    }
}
