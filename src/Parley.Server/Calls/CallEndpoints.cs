using System.Security.Claims;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;

namespace Parley.Server.Calls;

/// <summary>
/// Calls are signaled end to end inside Signal messages (the server relays them like any message
/// and never sees SDP or keys); the server's own part is handing out TURN credentials.
/// </summary>
public static class CallEndpoints
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static void MapCallEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/calls").WithTags("Calls").RequireAuthorization();
        group.MapGet("/ice-servers", (ClaimsPrincipal user, ParleyOptions options, TimeProvider clock) =>
        {
            var turn = options.Turn;
            if (!turn.Configured)
            {
                return Results.Ok(new IceServersResponse([], 0));
            }
            var lifetime = TimeSpan.FromMinutes(Math.Max(1, turn.CredentialLifetimeMinutes));
            var (username, password) = TurnCredentials.Issue(turn.Secret!, user.Device().AccountId, clock.GetUtcNow() + lifetime);
            return Results.Ok(new IceServersResponse([new IceServerDto(turn.Urls, username, password)], (int)lifetime.TotalSeconds));
        }).WithSummary("TURN servers with short-lived credentials for WebRTC (empty when the server has no TURN relay configured).");
        group.MapGet("/turn-check", CheckAsync)
            .WithSummary("Self-check: allocates (and releases) a relay on every configured TURN URL and says what is wrong, if anything.");
    }

    private static async Task<IResult> CheckAsync(ClaimsPrincipal user, ParleyOptions options, TimeProvider clock)
    {
        var turn = options.Turn;
        if (!turn.Configured)
        {
            return Results.Ok(new TurnCheckResponse(false, false, []));
        }
        var (username, password) = TurnCredentials.Issue(turn.Secret!, user.Device().AccountId, clock.GetUtcNow().AddMinutes(5));
        var checks = await Task.WhenAll(turn.Urls.Select(url => TurnProbe.CheckAsync(url, username, password, ProbeTimeout)));
        return Results.Ok(new TurnCheckResponse(true, checks.All(c => c.Ok), checks));
    }
}
