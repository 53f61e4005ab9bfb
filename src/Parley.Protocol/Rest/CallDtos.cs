namespace Parley.Protocol.Rest;

/// <summary>What a WebRTC client passes as RTCConfiguration.iceServers: TURN URLs with short-lived credentials.</summary>
public sealed record IceServersResponse(IReadOnlyList<IceServerDto> IceServers, int TtlSeconds);

public sealed record IceServerDto(IReadOnlyList<string> Urls, string? Username, string? Credential);

/// <summary>The TURN self-check: one allocation attempt per configured URL.</summary>
public sealed record TurnCheckResponse(bool Configured, bool Ok, IReadOnlyList<TurnCheckResult> Checks);

public sealed record TurnCheckResult(string Url, bool Ok, string? RelayedAddress, string? Problem, double Milliseconds);
