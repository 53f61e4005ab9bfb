using Parley.Server.Registration;

namespace Parley.Server.Messages;

/// <summary>Hourly clean-up: envelopes past their 30-day retention and stale registration sessions.</summary>
public sealed class EnvelopeExpiryService(EnvelopeStore envelopes, RegistrationSessionStore sessions, TimeProvider clock,
    ILogger<EnvelopeExpiryService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                var now = clock.GetUtcNow();
                var expired = await envelopes.DeleteExpiredAsync(now.ToUnixTimeMilliseconds(), stoppingToken);
                await sessions.DeleteOlderThanAsync((now - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds(), stoppingToken);
                if (expired > 0)
                {
                    log.LogInformation("Deleted {Count} expired envelopes", expired);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                log.LogWarning(error, "Expiry pass failed; will retry in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
