using Parley.Server.Hosting;

namespace Parley.Server.Connections;

/// <summary>
/// Keeps every device WebSocket of this node alive with one timer, rather than one per socket: each
/// round pings every connection and cuts off those that have sent nothing for the timeout (the device
/// reconnects and reads what it missed from its queue).
/// </summary>
public sealed class KeepAliveSweep(ConnectionRegistry registry, KeepAliveOptions options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                registry.KeepAlive(options.Timeout);
            }
        }
        catch (OperationCanceledException)
        {
            // The server is stopping.
        }
    }
}
