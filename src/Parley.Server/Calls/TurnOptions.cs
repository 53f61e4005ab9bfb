namespace Parley.Server.Calls;

/// <summary>
/// The TURN relay calls fall back to behind NAT (coturn with <c>use-auth-secret</c>; see docs/calls.md).
/// Without URLs and a secret, clients get no ICE servers and calls work only where peers reach each other directly.
/// </summary>
public sealed class TurnOptions
{
    /// <summary>e.g. <c>turn:turn.example.org:3478?transport=udp</c>, <c>turn:…:3478?transport=tcp</c>, <c>turns:…:5349?transport=tcp</c>.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>coturn's <c>static-auth-secret</c>; the server signs short-lived credentials with it and never hands it out.</summary>
    public string? Secret { get; set; }

    /// <summary>How long handed-out credentials stay valid (a call already relayed keeps going after that).</summary>
    public int CredentialLifetimeMinutes { get; set; } = 12 * 60;

    public bool Configured => Urls.Count > 0 && !string.IsNullOrEmpty(Secret);
}
