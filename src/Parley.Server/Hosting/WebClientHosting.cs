namespace Parley.Server.Hosting;

/// <summary>
/// Serves the Blazor WebAssembly web client (src/Parley.Web) at "/". API routes (/v1/*, /healthz,
/// /openapi/*) keep answering as before: the client's fallback page only covers paths outside them,
/// so an unknown API path is still a 404 problem rather than the app's HTML.
/// </summary>
public static class WebClientHosting
{
    /// <summary>Paths that belong to the API; the web client's page is never served for them.</summary>
    private const string ClientRoutes = "{*path:regex(^(?!v1/|v1$|healthz|openapi/).*$):nonfile}";

    public static WebApplicationBuilder AddWebClient(this WebApplicationBuilder builder)
    {
        // The build output (dotnet run) serves the client's files from their build locations; a
        // published server has them under wwwroot and the manifest is simply absent.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddSingleton<IStartupFilter, BrowserWebSocketCredentials>();
        return builder;
    }

    public static void MapWebClient(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapFallbackToFile("/", "index.html"); // the catch-all's constraint never sees an empty path
        app.MapFallbackToFile(ClientRoutes, "index.html");
    }
}
