using System.Net.Http.Json;

namespace Parley.Server.Registration;

/// <summary>
/// Hands codes to a real SMS gateway: POSTs {"to": "+E164", "code": "123456", "text": "..."} to the
/// configured URL and treats any non-2xx answer as a failure the client sees.
/// </summary>
public sealed class WebhookSmsSender(HttpClient http, Uri webhook) : ISmsSender
{
    public async Task SendCodeAsync(string number, string code, CancellationToken cancellationToken)
    {
        var body = new { to = number, code, text = $"Your Parley code: {code}" };
        using var response = await http.PostAsJsonAsync(webhook, body, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
