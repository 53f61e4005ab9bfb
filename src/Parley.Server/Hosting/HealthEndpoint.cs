using Parley.Protocol.Rest;
using Parley.Server.Storage;

namespace Parley.Server.Hosting;

public static class HealthEndpoint
{
    public static readonly string Version =
        typeof(HealthEndpoint).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static void MapHealthEndpoint(this IEndpointRouteBuilder app) =>
        app.MapGet("/healthz", async (Database database, CancellationToken cancellationToken) =>
        {
            var healthy = await database.IsHealthyAsync(cancellationToken);
            var body = new HealthResponse(healthy ? "ok" : "degraded", Version, database.Kind, healthy);
            return healthy ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).WithTags("Health").WithSummary("Liveness with version and database status.");
}
