namespace Parley.Server.Hosting;

/// <summary>Builds the RFC 7807 error answers of the REST API: a status, a stable code and a hint.</summary>
public static class ApiProblem
{
    public static IResult Create(int status, string code, string detail, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                extensions[key] = value;
            }
        }
        return Results.Problem(detail: detail, statusCode: status, title: code, extensions: extensions);
    }

    public static IResult BadRequest(string code, string detail) => Create(StatusCodes.Status400BadRequest, code, detail);

    public static IResult NotFound(string code, string detail) => Create(StatusCodes.Status404NotFound, code, detail);

    public static IResult TooManyRequests(string detail, TimeSpan retryAfter) =>
        Create(StatusCodes.Status429TooManyRequests, Protocol.Rest.ErrorCodes.RateLimited, detail,
            new Dictionary<string, object?> { ["retryAfterSeconds"] = (int)Math.Ceiling(retryAfter.TotalSeconds) });
}
