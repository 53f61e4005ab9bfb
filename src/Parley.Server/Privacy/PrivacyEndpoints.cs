using System.Security.Claims;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;
using Parley.Server.Registration;

namespace Parley.Server.Privacy;

/// <summary>Privacy settings and blocking. Everything the server distributes obeys them (see <see cref="PrivacyPolicy"/>).</summary>
public static class PrivacyEndpoints
{
    /// <summary>Longest "my contacts except..." list per setting.</summary>
    public const int MaxExceptions = 1000;

    public static void MapPrivacyEndpoints(this IEndpointRouteBuilder app)
    {
        var privacy = app.MapGroup("/v1/privacy").WithTags("Privacy").RequireAuthorization();
        privacy.MapGet("/", GetAsync).WithSummary("Your privacy settings.");
        privacy.MapPut("/", UpdateAsync).WithSummary("Change privacy settings; members left out stay as they are.");

        var blocks = app.MapGroup("/v1/blocks").WithTags("Privacy").RequireAuthorization();
        blocks.MapGet("/", ListBlockedAsync).WithSummary("The numbers you blocked.");
        blocks.MapPut("/{number}", BlockAsync)
            .WithSummary("Block a number: its messages are accepted but never delivered, and it sees nothing of you. It is not told.");
        blocks.MapDelete("/{number}", UnblockAsync).WithSummary("Unblock a number (from now on; nothing sent meanwhile arrives).");
    }

    private static async Task<IResult> GetAsync(ClaimsPrincipal user, PrivacyStore store, AccountStore accounts, CancellationToken cancellationToken)
    {
        var settings = await store.LoadAsync(user.Device().AccountId, cancellationToken);
        async Task<IReadOnlyList<string>> Numbers(PrivacyTopic topic)
        {
            var numbers = new List<string>();
            foreach (var id in settings.ExceptionsOf(topic))
            {
                if (await accounts.FindNumberAsync(id, cancellationToken) is { } number)
                {
                    numbers.Add(number);
                }
            }
            return [.. numbers.Order(StringComparer.Ordinal)];
        }
        return Results.Ok(new PrivacySettingsDto(
            AccountPrivacy.ToWire(settings.AudienceOf(PrivacyTopic.LastSeen)),
            AccountPrivacy.ToWire(settings.AudienceOf(PrivacyTopic.ProfilePhoto)),
            AccountPrivacy.ToWire(settings.AudienceOf(PrivacyTopic.About)),
            AccountPrivacy.ToWire(settings.AudienceOf(PrivacyTopic.Groups)),
            settings.ReadReceipts,
            await Numbers(PrivacyTopic.LastSeen), await Numbers(PrivacyTopic.ProfilePhoto),
            await Numbers(PrivacyTopic.About), await Numbers(PrivacyTopic.Groups)));
    }

    private static async Task<IResult> UpdateAsync(PrivacySettingsDto request, ClaimsPrincipal user, PrivacyStore store, PrivacyPolicy policy,
        AccountStore accounts, CancellationToken cancellationToken)
    {
        var accountId = user.Device().AccountId;
        var current = await store.LoadAsync(accountId, cancellationToken);
        var audiences = new Dictionary<PrivacyTopic, Audience>(current.Audiences);
        var exceptions = new Dictionary<PrivacyTopic, IReadOnlySet<string>>();
        var changes = new (PrivacyTopic Topic, string? Audience, IReadOnlyList<string>? Except)[]
        {
            (PrivacyTopic.LastSeen, request.LastSeen, request.LastSeenExcept),
            (PrivacyTopic.ProfilePhoto, request.ProfilePhoto, request.ProfilePhotoExcept),
            (PrivacyTopic.About, request.About, request.AboutExcept),
            (PrivacyTopic.Groups, request.Groups, request.GroupsExcept),
        };
        foreach (var (topic, audience, except) in changes)
        {
            if (audience is not null)
            {
                if (AccountPrivacy.FromWire(audience) is not { } parsed)
                {
                    return ApiProblem.BadRequest(ErrorCodes.InvalidRequest,
                        $"'{audience}' is not an audience; use everyone, contacts, contacts_except or nobody.");
                }
                audiences[topic] = parsed;
            }
            if (except is null)
            {
                continue;
            }
            if (except.Count > MaxExceptions)
            {
                return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, $"An exception list holds at most {MaxExceptions} numbers.");
            }
            var ids = new HashSet<string>();
            foreach (var number in except.Distinct())
            {
                if (!PhoneNumber.IsValid(number))
                {
                    return ApiProblem.BadRequest(ErrorCodes.InvalidNumber, $"'{number}' is not an E.164 number, e.g. +4915112345678.");
                }
                if (await accounts.FindIdByNumberAsync(number, cancellationToken) is not { } id)
                {
                    return ApiProblem.NotFound(ErrorCodes.UnknownAccount, $"{number} is not a Parley user.");
                }
                ids.Add(id);
            }
            exceptions[topic] = ids;
        }
        await store.SaveAsync(accountId, current with { Audiences = audiences, ReadReceipts = request.ReadReceipts ?? current.ReadReceipts },
            exceptions, cancellationToken);
        await policy.ChangedAsync(accountId);
        return await GetAsync(user, store, accounts, cancellationToken);
    }

    private static async Task<IResult> ListBlockedAsync(ClaimsPrincipal user, PrivacyStore store, CancellationToken cancellationToken) =>
        Results.Ok(new BlockedListResponse([.. (await store.ListBlockedAsync(user.Device().AccountId, cancellationToken))
            .Select(b => new BlockedContact(b.Number, b.AccountId, b.BlockedAt))]));

    private static async Task<IResult> BlockAsync(string number, ClaimsPrincipal user, PrivacyStore store, PrivacyPolicy policy,
        AccountStore accounts, TimeProvider clock, CancellationToken cancellationToken)
    {
        var accountId = user.Device().AccountId;
        var (blocked, problem) = await ResolveAsync(number, accounts, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (blocked == accountId)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "You cannot block yourself.");
        }
        await store.BlockAsync(accountId, blocked!, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        await policy.ChangedAsync(accountId);
        return Results.NoContent();
    }

    private static async Task<IResult> UnblockAsync(string number, ClaimsPrincipal user, PrivacyStore store, PrivacyPolicy policy,
        AccountStore accounts, CancellationToken cancellationToken)
    {
        var accountId = user.Device().AccountId;
        var (blocked, problem) = await ResolveAsync(number, accounts, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        await store.UnblockAsync(accountId, blocked!, cancellationToken);
        await policy.ChangedAsync(accountId);
        return Results.NoContent();
    }

    private static async Task<(string? AccountId, IResult? Problem)> ResolveAsync(string number, AccountStore accounts, CancellationToken cancellationToken)
    {
        if (!PhoneNumber.IsValid(number))
        {
            return (null, ApiProblem.BadRequest(ErrorCodes.InvalidNumber, "The number must be in E.164 form, e.g. +4915112345678."));
        }
        return await accounts.FindIdByNumberAsync(number, cancellationToken) is { } id
            ? (id, null)
            : (null, ApiProblem.NotFound(ErrorCodes.UnknownAccount, "No Parley account has this number."));
    }
}
