using Parley.Protocol.Rest;
using Parley.Server.Hosting;

namespace Parley.Server.Registration;

/// <summary>
/// Phone-number verification: create a session (sends a code), resend, verify. Creating the
/// account itself is in Accounts, because it needs a verified session.
/// </summary>
public static class RegistrationEndpoints
{
    public const string RequestCodePolicy = "registration-code";
    public const string VerifyPolicy = "registration-verify";

    public static void MapRegistrationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/registration/sessions").WithTags("Registration");
        group.MapPost("/", CreateSessionAsync).RequireRateLimiting(RequestCodePolicy)
            .WithSummary("Start verifying a phone number; a 6-digit code is sent by SMS.");
        group.MapPost("/{sessionId}/code", ResendCodeAsync).RequireRateLimiting(RequestCodePolicy)
            .WithSummary("Send a fresh code for the session (the old one stops working).");
        group.MapPut("/{sessionId}/verification", VerifyAsync).RequireRateLimiting(VerifyPolicy)
            .WithSummary("Check the code. Five attempts per code; codes expire after 10 minutes.");
    }

    private static async Task<IResult> CreateSessionAsync(
        CreateRegistrationSessionRequest request, RegistrationSessionStore store, ISmsSender sms,
        TimeProvider clock, LimitOptions limits, ILogger<RegistrationSession> log, CancellationToken cancellationToken)
    {
        if (!PhoneNumber.IsValid(request.Number))
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidNumber, "The number must be in E.164 form, e.g. +4915112345678.");
        }
        var now = clock.GetUtcNow();
        if (await IsNumberOverLimitAsync(store, request.Number, now, limits, cancellationToken))
        {
            return ApiProblem.TooManyRequests("Too many codes were sent to this number; try again later.", TimeSpan.FromHours(1));
        }
        var id = Guid.NewGuid().ToString("N");
        var code = VerificationCodes.Generate();
        var session = new RegistrationSession(id, request.Number, VerificationCodes.Hash(id, code),
            (now + VerificationCodes.Lifetime).ToUnixTimeMilliseconds(), 0, 1, null, now.ToUnixTimeMilliseconds());
        await store.InsertAsync(session, cancellationToken);
        if (await TrySendAsync(sms, request.Number, code, log, cancellationToken) is { } failed)
        {
            return failed;
        }
        log.LogInformation("Verification code sent to {MaskedNumber}", PhoneNumber.Mask(request.Number));
        return Results.Created($"/v1/registration/sessions/{id}", ToResponse(session));
    }

    private static async Task<IResult> ResendCodeAsync(
        string sessionId, RegistrationSessionStore store, ISmsSender sms, TimeProvider clock, LimitOptions limits,
        ILogger<RegistrationSession> log, CancellationToken cancellationToken)
    {
        var session = await store.FindAsync(sessionId, cancellationToken);
        if (session is null)
        {
            return UnknownSession();
        }
        var now = clock.GetUtcNow();
        if (await IsNumberOverLimitAsync(store, session.Number, now, limits, cancellationToken))
        {
            return ApiProblem.TooManyRequests("Too many codes were sent to this number; try again later.", TimeSpan.FromHours(1));
        }
        var code = VerificationCodes.Generate();
        var expiresAt = (now + VerificationCodes.Lifetime).ToUnixTimeMilliseconds();
        await store.ReplaceCodeAsync(sessionId, VerificationCodes.Hash(sessionId, code), expiresAt, cancellationToken);
        if (await TrySendAsync(sms, session.Number, code, log, cancellationToken) is { } failed)
        {
            return failed;
        }
        return Results.Ok(ToResponse(session with { CodeExpiresAt = expiresAt, Attempts = 0 }));
    }

    private static async Task<IResult> VerifyAsync(
        string sessionId, VerifyCodeRequest request, RegistrationSessionStore store, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var session = await store.FindAsync(sessionId, cancellationToken);
        if (session is null)
        {
            return UnknownSession();
        }
        if (session.Verified)
        {
            return Results.Ok(ToResponse(session));
        }
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (now > session.CodeExpiresAt)
        {
            return ApiProblem.Create(StatusCodes.Status410Gone, ErrorCodes.CodeExpired, "The code expired; request a new one.");
        }
        if (!await store.TryCountAttemptAsync(sessionId, VerificationCodes.MaxAttempts, cancellationToken))
        {
            return ApiProblem.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.TooManyAttempts,
                "Too many wrong codes; request a new code.");
        }
        if (request.Code is null || !VerificationCodes.Matches(session, request.Code.Trim()))
        {
            var remaining = VerificationCodes.MaxAttempts - session.Attempts - 1;
            return ApiProblem.Create(StatusCodes.Status400BadRequest, ErrorCodes.IncorrectCode, "The code is not correct.",
                new Dictionary<string, object?> { ["remainingAttempts"] = Math.Max(remaining, 0) });
        }
        await store.MarkVerifiedAsync(sessionId, now, cancellationToken);
        return Results.Ok(ToResponse(session with { VerifiedAt = now }));
    }

    private static async Task<bool> IsNumberOverLimitAsync(RegistrationSessionStore store, string number,
        DateTimeOffset now, LimitOptions limits, CancellationToken cancellationToken)
    {
        var since = (now - TimeSpan.FromHours(1)).ToUnixTimeMilliseconds();
        return await store.CodesSentSinceAsync(number, since, cancellationToken) >= limits.CodesPerNumberPerHour;
    }

    /// <summary>Hands the code to the SMS sender; a gateway failure becomes a 502 the client can retry.</summary>
    private static async Task<IResult?> TrySendAsync(ISmsSender sms, string number, string code, ILogger log, CancellationToken cancellationToken)
    {
        try
        {
            await sms.SendCodeAsync(number, code, cancellationToken);
            return null;
        }
        catch (HttpRequestException error)
        {
            log.LogWarning("SMS gateway refused the code for {MaskedNumber}: {Status}", PhoneNumber.Mask(number), error.StatusCode);
            return ApiProblem.Create(StatusCodes.Status502BadGateway, ErrorCodes.SmsUnavailable,
                "The SMS gateway could not send the code; try again in a moment.");
        }
    }

    private static IResult UnknownSession() =>
        ApiProblem.NotFound(ErrorCodes.UnknownSession, "No such registration session; start a new one.");

    private static RegistrationSessionResponse ToResponse(RegistrationSession session) =>
        new(session.Id, session.Verified, session.CodeExpiresAt, Math.Max(VerificationCodes.MaxAttempts - session.Attempts, 0));
}
