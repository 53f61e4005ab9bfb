namespace Parley.Server.Registration;

/// <summary>
/// The development SMS outbox: appends "&lt;E.164&gt; &lt;code&gt;" as one line to
/// &lt;data&gt;/sms-outbox.log, so a self-hoster without an SMS gateway (and every test) can read codes.
/// </summary>
public sealed class OutboxSmsSender(string outboxPath) : ISmsSender
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task SendCodeAsync(string number, string code, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await File.AppendAllTextAsync(outboxPath, $"{number} {code}\n", cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }
}
