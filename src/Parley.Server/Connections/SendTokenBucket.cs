namespace Parley.Server.Connections;

/// <summary>
/// The per-connection message rate limit: a token bucket (burst = 2 s worth) refilled from the
/// clock whenever a send asks for a token. Unlike a self-replenishing limiter it needs no timer,
/// so an idle connection costs nothing here. Used only from the connection's read loop.
/// </summary>
internal struct SendTokenBucket
{
    private double _tokens;
    private long _refilledAt;

    public bool TryTake(TimeProvider clock, int perSecond)
    {
        var now = clock.GetTimestamp();
        var capacity = 2.0 * perSecond;
        _tokens = _refilledAt == 0 ? capacity : Math.Min(capacity, _tokens + (clock.GetElapsedTime(_refilledAt, now).TotalSeconds * perSecond));
        _refilledAt = now;
        if (_tokens < 1)
        {
            return false;
        }
        _tokens--;
        return true;
    }
}
