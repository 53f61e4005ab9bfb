using System.Security.Claims;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;
using Parley.Server.Privacy;
using Parley.Server.Registration;

namespace Parley.Server.Contacts;

/// <summary>Contact discovery: upload the address book's numbers, learn which are Parley users.</summary>
public static class ContactEndpoints
{
    public static void MapContactEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPut("/v1/contacts", SyncAsync).WithTags("Contacts").RequireAuthorization()
            .WithSummary("Replace your address book (E.164 numbers, no names); answers which numbers are Parley users. "
                + "New numbers per day are capped; unregistered numbers are never revealed.");

    private static async Task<IResult> SyncAsync(SyncContactsRequest request, ClaimsPrincipal user, ContactStore store,
        PrivacyPolicy policy, LimitOptions limits, TimeProvider clock, CancellationToken cancellationToken)
    {
        var numbers = request.Numbers ?? [];
        if (numbers.Count > limits.MaxContacts)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, $"An address book holds at most {limits.MaxContacts} numbers.");
        }
        if (numbers.FirstOrDefault(n => !PhoneNumber.IsValid(n)) is { } invalid)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidNumber,
                $"'{invalid}' is not in E.164 form (e.g. +4915112345678); normalise numbers before uploading.");
        }
        var accountId = user.Device().AccountId;
        var day = clock.GetUtcNow().ToUnixTimeMilliseconds() / (long)TimeSpan.FromDays(1).TotalMilliseconds;
        var outcome = await store.ReplaceAsync(accountId, numbers.ToHashSet(), day, limits.NewContactsPerDay, cancellationToken);
        if (!outcome.WithinQuota)
        {
            return ApiProblem.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.ContactQuotaExceeded,
                $"This adds more new numbers than the {outcome.NewNumbersLeftToday} left today; nothing was changed. Try fewer, or tomorrow.",
                new Dictionary<string, object?> { ["newNumbersLeftToday"] = outcome.NewNumbersLeftToday });
        }
        await policy.ChangedAsync(accountId);
        return Results.Ok(new SyncContactsResponse([.. outcome.Registered.Select(r => new RegisteredContact(r.Number, r.AccountId))],
            outcome.NewNumbersLeftToday));
    }
}
