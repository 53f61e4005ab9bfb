using Parley.Protocol.Rest;

namespace Parley.Client.Api;

/// <summary>Calls: ICE servers (TURN credentials) for WebRTC and the TURN self-check.</summary>
public sealed partial class ParleyApi
{
    public Task<IceServersResponse> GetIceServersAsync(DeviceCredentials credentials, CancellationToken cancellationToken = default) =>
        SendAsync<IceServersResponse>(HttpMethod.Get, "v1/calls/ice-servers", null, credentials, cancellationToken);

    public Task<TurnCheckResponse> CheckTurnAsync(DeviceCredentials credentials, CancellationToken cancellationToken = default) =>
        SendAsync<TurnCheckResponse>(HttpMethod.Get, "v1/calls/turn-check", null, credentials, cancellationToken);
}
