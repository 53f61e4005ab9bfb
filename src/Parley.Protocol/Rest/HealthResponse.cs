namespace Parley.Protocol.Rest;

/// <summary>GET /healthz.</summary>
public sealed record HealthResponse(string Status, string Version, string Database, bool DatabaseHealthy);
