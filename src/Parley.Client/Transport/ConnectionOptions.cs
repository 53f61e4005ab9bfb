namespace Parley.Client.Transport;

/// <summary>Reconnect and timeout behaviour of <see cref="ParleyConnection"/>.</summary>
public sealed record ConnectionOptions
{
    /// <summary>First reconnect delay; doubles per failed attempt up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one request waits for its answer before it is re-sent on a fresh connection.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Interval of WebSocket-level keep-alive pings.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);
}
