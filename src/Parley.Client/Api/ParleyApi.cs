using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Protocol.Rest;

namespace Parley.Client.Api;

/// <summary>
/// The REST half of the Parley API. Every failure surfaces as <see cref="ParleyApiException"/>
/// (server said no) or <see cref="HttpRequestException"/> (server unreachable).
/// </summary>
public sealed partial class ParleyApi(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Uri BaseAddress => http.BaseAddress ?? throw new InvalidOperationException("HttpClient.BaseAddress must be the server URL.");

    public static ParleyApi ForServer(Uri server) => new(new HttpClient { BaseAddress = server });

    public Task<RegistrationSessionResponse> StartRegistrationAsync(string number, CancellationToken cancellationToken = default) =>
        SendAsync<RegistrationSessionResponse>(HttpMethod.Post, "v1/registration/sessions", new CreateRegistrationSessionRequest(number), null, cancellationToken);

    public Task<RegistrationSessionResponse> ResendCodeAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<RegistrationSessionResponse>(HttpMethod.Post, $"v1/registration/sessions/{Uri.EscapeDataString(sessionId)}/code", null, null, cancellationToken);

    public Task<RegistrationSessionResponse> VerifyCodeAsync(string sessionId, string code, CancellationToken cancellationToken = default) =>
        SendAsync<RegistrationSessionResponse>(HttpMethod.Put, $"v1/registration/sessions/{Uri.EscapeDataString(sessionId)}/verification",
            new VerifyCodeRequest(code), null, cancellationToken);

    public Task<CreateAccountResponse> CreateAccountAsync(CreateAccountRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CreateAccountResponse>(HttpMethod.Post, "v1/accounts", request, null, cancellationToken);

    public Task<AccountLookupResponse> LookupAsync(DeviceCredentials credentials, string number, CancellationToken cancellationToken = default) =>
        SendAsync<AccountLookupResponse>(HttpMethod.Get, $"v1/accounts/lookup/{Uri.EscapeDataString(number)}", null, credentials, cancellationToken);

    public Task SetKeysAsync(DeviceCredentials credentials, SetKeysRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Put, "v1/keys", request, credentials, cancellationToken);

    public Task<PreKeyCountResponse> GetKeyStatusAsync(DeviceCredentials credentials, CancellationToken cancellationToken = default) =>
        SendAsync<PreKeyCountResponse>(HttpMethod.Get, "v1/keys/status", null, credentials, cancellationToken);

    /// <summary>Bundles of one device, or of all devices when <paramref name="deviceId"/> is null.</summary>
    public Task<PreKeyResponse> GetPreKeysAsync(DeviceCredentials credentials, string accountId, int? deviceId = null, CancellationToken cancellationToken = default) =>
        SendAsync<PreKeyResponse>(HttpMethod.Get, $"v1/keys/{Uri.EscapeDataString(accountId)}/{(deviceId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*")}",
            null, credentials, cancellationToken);

    public Task<HealthResponse> GetHealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync<HealthResponse>(HttpMethod.Get, "healthz", null, null, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, DeviceCredentials? credentials, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }
        if (credentials is not null)
        {
            request.Headers.Authorization = credentials.ToAuthorizationHeader();
        }
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, cancellationToken);
        }
        if (response.StatusCode == HttpStatusCode.NoContent || typeof(T) == typeof(object))
        {
            return default!;
        }
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
            ?? throw new ParleyApiException(response.StatusCode, "empty_response", "The server sent an empty answer.");
    }

    private static async Task<ParleyApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var code = response.StatusCode == HttpStatusCode.Unauthorized ? ErrorCodes.Unauthorized : "http_" + (int)response.StatusCode;
        var message = response.StatusCode == HttpStatusCode.Unauthorized
            ? "The server does not know this device or its password (was the account re-registered?)."
            : response.ReasonPhrase ?? "The server refused the request.";
        int? retryAfter = null, remaining = null;
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
            if (problem.ValueKind == JsonValueKind.Object)
            {
                code = problem.TryGetProperty("code", out var c) && c.GetString() is { } codeText ? codeText : code;
                message = problem.TryGetProperty("detail", out var d) && d.GetString() is { } detail ? detail : message;
                retryAfter = problem.TryGetProperty("retryAfterSeconds", out var r) && r.TryGetInt32(out var seconds) ? seconds : null;
                remaining = problem.TryGetProperty("remainingAttempts", out var a) && a.TryGetInt32(out var left) ? left : null;
            }
        }
        catch (Exception error) when (error is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Not a problem document (e.g. a proxy's error page): keep the status-based message.
        }
        return new ParleyApiException(response.StatusCode, code, message, retryAfter, remaining);
    }
}
