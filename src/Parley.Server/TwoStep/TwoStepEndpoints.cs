using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using OtpNet;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;

namespace Parley.Server.TwoStep;

/// <summary>
/// Two-step verification settings. Setting a PIN the first time needs only the signed-in device;
/// changing or removing it, or adding an authenticator, needs the current PIN (throttled like
/// re-registration, so a borrowed phone cannot brute-force it).
/// </summary>
public static class TwoStepEndpoints
{
    public static void MapTwoStepEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/account/two-step").WithTags("Two-step verification").RequireAuthorization();
        group.MapGet("/", async (ClaimsPrincipal user, RegistrationLockStore store, CancellationToken cancellationToken) =>
        {
            var existing = await store.FindAsync(user.Device().AccountId, cancellationToken);
            return Results.Ok(new TwoStepStatusResponse(existing is not null, existing?.TotpSecret is not null));
        }).WithSummary("Whether a PIN and an authenticator protect this account's re-registration.");
        group.MapPut("/pin", SetPinAsync).WithSummary("Set the 6-digit PIN, or change it (needs currentPin).");
        group.MapDelete("/pin", RemovePinAsync).WithSummary("Turn two-step verification off (needs currentPin in the body).");
        group.MapPost("/authenticator", StartAuthenticatorAsync)
            .WithSummary("Start adding an authenticator app (needs currentPin); answers an otpauth:// URI to show as a QR code.");
        group.MapPut("/authenticator", ConfirmAuthenticatorAsync).WithSummary("Finish adding the authenticator with a code it shows.");
    }

    private static async Task<IResult> SetPinAsync(SetPinRequest request, ClaimsPrincipal user, RegistrationLockStore store,
        RegistrationLockGuard guard, CancellationToken cancellationToken)
    {
        if (!PinHashing.IsWellFormed(request.Pin))
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidPin, "A PIN is exactly 6 digits.");
        }
        var accountId = user.Device().AccountId;
        if (await CheckCurrentPinAsync(accountId, request.CurrentPin, store, guard, cancellationToken) is { } refused)
        {
            return refused;
        }
        await store.SetPinAsync(accountId, PinHashing.Hash(request.Pin!), cancellationToken);
        return Results.NoContent();
    }

    private static async Task<IResult> RemovePinAsync([FromBody] RemovePinRequest request, ClaimsPrincipal user, RegistrationLockStore store,
        RegistrationLockGuard guard, CancellationToken cancellationToken)
    {
        var accountId = user.Device().AccountId;
        if (await store.FindAsync(accountId, cancellationToken) is null)
        {
            return Results.NoContent();
        }
        if (await CheckCurrentPinAsync(accountId, request.CurrentPin, store, guard, cancellationToken) is { } refused)
        {
            return refused;
        }
        await store.RemoveAsync(accountId, cancellationToken);
        return Results.NoContent();
    }

    private static async Task<IResult> StartAuthenticatorAsync(StartAuthenticatorRequest request, ClaimsPrincipal user, AccountStore accounts,
        RegistrationLockStore store, RegistrationLockGuard guard, CancellationToken cancellationToken)
    {
        var accountId = user.Device().AccountId;
        if (await store.FindAsync(accountId, cancellationToken) is null)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "Set a PIN before adding an authenticator.");
        }
        if (await CheckCurrentPinAsync(accountId, request.CurrentPin, store, guard, cancellationToken) is { } refused)
        {
            return refused;
        }
        var secret = KeyGeneration.GenerateRandomKey(20);
        await store.SetPendingAuthenticatorAsync(accountId, secret, cancellationToken);
        var number = await accounts.FindNumberAsync(accountId, cancellationToken) ?? accountId;
        var base32 = Base32Encoding.ToString(secret);
        var uri = $"otpauth://totp/Parley:{Uri.EscapeDataString(number)}?secret={base32}&issuer=Parley&algorithm=SHA1&digits=6&period=30";
        return Results.Ok(new AuthenticatorSetupResponse(uri, base32));
    }

    private static async Task<IResult> ConfirmAuthenticatorAsync(ConfirmAuthenticatorRequest request, ClaimsPrincipal user,
        RegistrationLockStore store, CancellationToken cancellationToken)
    {
        var accountId = user.Device().AccountId;
        if (await store.FindAsync(accountId, cancellationToken) is not { TotpPending: { } pending })
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "Start adding an authenticator first.");
        }
        if (request.Code is null || !RegistrationLockGuard.AuthenticatorCodeMatches(pending, request.Code.Trim()))
        {
            return ApiProblem.BadRequest(ErrorCodes.IncorrectCode, "That is not the code the authenticator shows now.");
        }
        await store.ConfirmAuthenticatorAsync(accountId, cancellationToken);
        return Results.NoContent();
    }

    /// <summary>Nothing to check when no PIN is set yet; otherwise the current PIN must match (authenticator codes don't count here).</summary>
    private static async Task<IResult?> CheckCurrentPinAsync(string accountId, string? currentPin, RegistrationLockStore store,
        RegistrationLockGuard guard, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(accountId, cancellationToken) is not { } existing)
        {
            return null;
        }
        var check = await guard.CheckAsync(accountId, existing, currentPin, allowAuthenticator: false, cancellationToken);
        return check.Verdict == LockVerdict.Passed ? null : RegistrationLockGuard.Problem(check);
    }
}
