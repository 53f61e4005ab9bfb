namespace Parley.Server.Devices;

/// <summary>Configuration under "Parley:Devices".</summary>
public sealed class DeviceLinkingOptions
{
    public const string Section = "Parley:Devices";

    /// <summary>
    /// How long a link code (and the link it starts) stays valid. Short, because a code shown on a
    /// screen may be photographed; ten minutes is enough to pick up the second device and type it.
    /// </summary>
    public int LinkCodeLifetimeSeconds { get; set; } = 600;

    /// <summary>Devices an account may have besides its primary (WhatsApp's limit).</summary>
    public int MaxLinkedDevices { get; set; } = 4;

    /// <summary>Link codes an account may create per hour.</summary>
    public int LinkCodesPerAccountPerHour { get; set; } = 20;

    /// <summary>
    /// Presentations of a link code per client IP per minute. Codes carry 50 random bits, so this only
    /// keeps guessing from being a cheap way to load the server.
    /// </summary>
    public int LinkAttemptsPerIpPerMinute { get; set; } = 10;

    /// <summary>Status polls of a pending link per client IP per minute (a new device polls about twice a second).</summary>
    public int LinkPollsPerIpPerMinute { get; set; } = 300;

    public TimeSpan LinkCodeLifetime => TimeSpan.FromSeconds(LinkCodeLifetimeSeconds);
}
