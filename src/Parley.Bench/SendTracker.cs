namespace Parley.Bench;

/// <summary>Counts a workload's sends: in flight, acked by the server, failed.</summary>
public sealed class SendTracker
{
    private long _sent;
    private long _errors;
    private long _outstanding;

    public long Sent => Interlocked.Read(ref _sent);

    public long Errors => Interlocked.Read(ref _errors);

    public long Outstanding => Interlocked.Read(ref _outstanding);

    /// <summary>Runs one send; a failure is counted, never thrown (the run goes on and reports it).</summary>
    public async Task TrackAsync(Func<Task> send)
    {
        Interlocked.Increment(ref _outstanding);
        try
        {
            await send();
            Interlocked.Increment(ref _sent);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _errors);
        }
        finally
        {
            Interlocked.Decrement(ref _outstanding);
        }
    }

    /// <summary>Starts counting again (after a warm-up that has drained).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _sent, 0);
        Interlocked.Exchange(ref _errors, 0);
    }
}
