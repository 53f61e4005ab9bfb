using Microsoft.AspNetCore.Http.Features;
using Parley.Protocol.Rest;

namespace Parley.Server.Hosting;

/// <summary>
/// Lets a browser open /v1/websocket: it cannot set an Authorization header on the handshake, so it
/// offers its credentials as a subprotocol (see <see cref="BrowserWebSocketAuth"/>). This runs first
/// in the pipeline, turns that subprotocol into the Authorization header the device authentication
/// reads, and makes the handshake answer select <see cref="BrowserWebSocketAuth.Protocol"/> (browsers
/// drop a connection whose answer selects none of the offered subprotocols).
/// </summary>
internal sealed class BrowserWebSocketCredentials : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Path.Equals("/v1/websocket", StringComparison.Ordinal)
                && context.Request.Headers.Authorization.Count == 0
                && Offered(context.Request).Select(BrowserWebSocketAuth.AuthorizationFrom).FirstOrDefault(a => a is not null) is { } authorization
                && context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
            {
                context.Request.Headers.Authorization = authorization;
                context.Features.Set<IHttpUpgradeFeature>(new SelectingUpgrade(upgrade, context.Response));
            }
            return nextMiddleware(context);
        });
        next(app);
    };

    private static IEnumerable<string> Offered(HttpRequest request) =>
        request.Headers.SecWebSocketProtocol.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Adds the selected subprotocol to the 101 answer unless the endpoint chose one itself.</summary>
    private sealed class SelectingUpgrade(IHttpUpgradeFeature inner, HttpResponse response) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public Task<Stream> UpgradeAsync()
        {
            if (response.Headers.SecWebSocketProtocol.Count == 0)
            {
                response.Headers.SecWebSocketProtocol = BrowserWebSocketAuth.Protocol;
            }
            return inner.UpgradeAsync();
        }
    }
}
