using Parley.Protocol.Rest;

namespace Parley.Client.Api;

/// <summary>Linked devices: link codes, approval, the device list and its signed form.</summary>
public sealed partial class ParleyApi
{
    public Task<LinkCodeResponse> CreateLinkCodeAsync(DeviceCredentials primary, CancellationToken cancellationToken = default) =>
        SendAsync<LinkCodeResponse>(HttpMethod.Post, "v1/devices/link-codes", null, primary, cancellationToken);

    /// <summary>A new device presents a link code (no credentials: the code authorizes it).</summary>
    public Task<LinkDeviceResponse> PresentLinkCodeAsync(LinkDeviceRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<LinkDeviceResponse>(HttpMethod.Post, "v1/devices/link", request, null, cancellationToken);

    public Task<LinkStatusResponse> GetLinkStatusAsync(string linkId, CancellationToken cancellationToken = default) =>
        SendAsync<LinkStatusResponse>(HttpMethod.Get, $"v1/devices/link/{Uri.EscapeDataString(linkId)}", null, null, cancellationToken);

    public Task<LinkRequestListResponse> GetLinkRequestsAsync(DeviceCredentials primary, CancellationToken cancellationToken = default) =>
        SendAsync<LinkRequestListResponse>(HttpMethod.Get, "v1/devices/link-requests", null, primary, cancellationToken);

    public Task<DeviceDto> ApproveLinkAsync(DeviceCredentials primary, string linkId, ApproveLinkRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<DeviceDto>(HttpMethod.Post, $"v1/devices/link-requests/{Uri.EscapeDataString(linkId)}/approve", request, primary, cancellationToken);

    public Task RejectLinkAsync(DeviceCredentials primary, string linkId, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Post, $"v1/devices/link-requests/{Uri.EscapeDataString(linkId)}/reject", null, primary, cancellationToken);

    public Task<DeviceListResponse> GetDevicesAsync(DeviceCredentials credentials, CancellationToken cancellationToken = default) =>
        SendAsync<DeviceListResponse>(HttpMethod.Get, "v1/devices", null, credentials, cancellationToken);

    public Task UnlinkDeviceAsync(DeviceCredentials primary, int deviceId, UnlinkDeviceRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Post, $"v1/devices/{deviceId}/unlink", request, primary, cancellationToken);

    public Task<SignedDeviceListDto> GetSignedDeviceListAsync(DeviceCredentials credentials, string accountId, CancellationToken cancellationToken = default) =>
        SendAsync<SignedDeviceListDto>(HttpMethod.Get, $"v1/devices/{Uri.EscapeDataString(accountId)}/list", null, credentials, cancellationToken);
}
