using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Parley.Protocol.Rest;

namespace Parley.Client.Api;

/// <summary>Profiles, privacy settings, blocking, contact discovery and two-step verification.</summary>
public sealed partial class ParleyApi
{
    public Task<ProfileVersionResponse> UpdateProfileAsync(DeviceCredentials credentials, UpdateProfileRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ProfileVersionResponse>(HttpMethod.Put, "v1/profile", request, credentials, cancellationToken);

    public Task<ProfileVersionResponse> SetProfilePhotoAsync(DeviceCredentials credentials, byte[] image, string contentType,
        CancellationToken cancellationToken = default) =>
        PutBytesAsync<ProfileVersionResponse>("v1/profile/photo", image, contentType, credentials, cancellationToken);

    public Task<ProfileVersionResponse> RemoveProfilePhotoAsync(DeviceCredentials credentials, CancellationToken cancellationToken = default) =>
        SendAsync<ProfileVersionResponse>(HttpMethod.Delete, "v1/profile/photo", null, credentials, cancellationToken);

    public Task<ProfileResponse> GetProfileAsync(DeviceCredentials credentials, string accountId, CancellationToken cancellationToken = default) =>
        SendAsync<ProfileResponse>(HttpMethod.Get, $"v1/profiles/{Uri.EscapeDataString(accountId)}", null, credentials, cancellationToken);

    /// <summary>The photo's bytes, or null when the account has none the caller may see.</summary>
    public Task<byte[]?> GetProfilePhotoAsync(DeviceCredentials credentials, string accountId, CancellationToken cancellationToken = default) =>
        GetBytesOrNullAsync($"v1/profiles/{Uri.EscapeDataString(accountId)}/photo", credentials, cancellationToken);

    private async Task<T> PutBytesAsync<T>(string path, byte[] body, string contentType, DeviceCredentials credentials, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Authorization = credentials.ToAuthorizationHeader();
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, cancellationToken);
        }
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
            ?? throw new ParleyApiException(response.StatusCode, "empty_response", "The server sent an empty answer.");
    }

    /// <summary>A GET for bytes: null on 404.</summary>
    private async Task<byte[]?> GetBytesOrNullAsync(string path, DeviceCredentials credentials, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = credentials.ToAuthorizationHeader();
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, cancellationToken);
        }
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    public Task<PrivacySettingsDto> GetPrivacyAsync(DeviceCredentials credentials, CancellationToken cancellationToken = default) =>
        SendAsync<PrivacySettingsDto>(HttpMethod.Get, "v1/privacy", null, credentials, cancellationToken);

    public Task<PrivacySettingsDto> UpdatePrivacyAsync(DeviceCredentials credentials, PrivacySettingsDto change, CancellationToken cancellationToken = default) =>
        SendAsync<PrivacySettingsDto>(HttpMethod.Put, "v1/privacy", change, credentials, cancellationToken);

    public Task BlockAsync(DeviceCredentials credentials, string number, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Put, $"v1/blocks/{Uri.EscapeDataString(number)}", null, credentials, cancellationToken);

    public Task UnblockAsync(DeviceCredentials credentials, string number, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"v1/blocks/{Uri.EscapeDataString(number)}", null, credentials, cancellationToken);

    public Task<BlockedListResponse> GetBlockedAsync(DeviceCredentials credentials, CancellationToken cancellationToken = default) =>
        SendAsync<BlockedListResponse>(HttpMethod.Get, "v1/blocks", null, credentials, cancellationToken);

    public Task<SyncContactsResponse> SyncContactsAsync(DeviceCredentials credentials, IReadOnlyList<string> numbers, CancellationToken cancellationToken = default) =>
        SendAsync<SyncContactsResponse>(HttpMethod.Put, "v1/contacts", new SyncContactsRequest(numbers), credentials, cancellationToken);

    public Task<TwoStepStatusResponse> GetTwoStepAsync(DeviceCredentials credentials, CancellationToken cancellationToken = default) =>
        SendAsync<TwoStepStatusResponse>(HttpMethod.Get, "v1/account/two-step", null, credentials, cancellationToken);

    public Task SetPinAsync(DeviceCredentials credentials, string pin, string? currentPin = null, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Put, "v1/account/two-step/pin", new SetPinRequest(pin, currentPin), credentials, cancellationToken);

    public Task RemovePinAsync(DeviceCredentials credentials, string currentPin, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, "v1/account/two-step/pin", new RemovePinRequest(currentPin), credentials, cancellationToken);

    public Task<AuthenticatorSetupResponse> StartAuthenticatorAsync(DeviceCredentials credentials, string currentPin, CancellationToken cancellationToken = default) =>
        SendAsync<AuthenticatorSetupResponse>(HttpMethod.Post, "v1/account/two-step/authenticator", new StartAuthenticatorRequest(currentPin),
            credentials, cancellationToken);

    public Task ConfirmAuthenticatorAsync(DeviceCredentials credentials, string code, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Put, "v1/account/two-step/authenticator", new ConfirmAuthenticatorRequest(code), credentials, cancellationToken);
}
