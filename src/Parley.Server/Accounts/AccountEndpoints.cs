using Parley.Protocol.Rest;
using Parley.Server.Connections;
using Parley.Server.Hosting;
using Parley.Server.Keys;
using Parley.Server.Registration;
using Parley.Server.TwoStep;

namespace Parley.Server.Accounts;

/// <summary>Account creation (after number verification) and number look-up.</summary>
public static class AccountEndpoints
{
    public const int PrimaryDeviceId = 1;

    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/accounts").WithTags("Accounts");
        group.MapPost("/", CreateAsync)
            .WithSummary("Create the account of a verified number with its primary device (re-registering replaces all devices).");
        group.MapGet("/lookup/{number}", LookupAsync).RequireAuthorization().RequireRateLimiting(KeysEndpoints.FetchPolicy)
            .WithSummary("Find the account id of a registered number.");
    }

    private static async Task<IResult> CreateAsync(CreateAccountRequest request, RegistrationSessionStore sessions,
        AccountStore accounts, DeviceDirectory directory, TimeProvider clock, DeviceDisconnector disconnector, RegistrationLockStore locks,
        RegistrationLockGuard guard, ILogger<CreateAccountRequest> log, CancellationToken cancellationToken)
    {
        var session = request.SessionId is null ? null : await sessions.FindAsync(request.SessionId, cancellationToken);
        if (session is null)
        {
            return ApiProblem.NotFound(ErrorCodes.UnknownSession, "No such registration session; start a new one.");
        }
        var now = clock.GetUtcNow();
        if (session.VerifiedAt is not { } verifiedAt
            || now.ToUnixTimeMilliseconds() - verifiedAt > (long)VerificationCodes.VerifiedSessionLifetime.TotalMilliseconds)
        {
            return ApiProblem.Create(StatusCodes.Status403Forbidden, ErrorCodes.SessionNotVerified,
                "Verify the number with its code before creating the account.");
        }
        if (request.RegistrationId is < 1 or > 16380)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "The registration id must be between 1 and 16380.");
        }
        var problem = KeyFormats.CheckCurveKey(request.IdentityKey, "Identity key")
            ?? KeyFormats.Check(request.SignedPreKey, "Signed prekey")
            ?? KeyFormats.Check(request.PqLastResortPreKey, "Last-resort Kyber prekey");
        if (problem is not null)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidKey, problem);
        }
        var signatureProblem = PreKeySignatures.Check(request.IdentityKey, request.SignedPreKey, [], request.PqLastResortPreKey);
        if (signatureProblem is not null)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidSignature, signatureProblem);
        }

        var previousId = await accounts.FindIdByNumberAsync(session.Number, cancellationToken);
        if (previousId is not null && await locks.FindAsync(previousId, cancellationToken) is { } registrationLock)
        {
            var check = await guard.CheckAsync(previousId, registrationLock, request.RegistrationLock, allowAuthenticator: true, cancellationToken);
            if (check.Verdict != LockVerdict.Passed)
            {
                log.LogInformation("Re-registration of {MaskedNumber} refused by two-step verification: {Verdict}",
                    PhoneNumber.Mask(session.Number), check.Verdict);
                return RegistrationLockGuard.Problem(check);
            }
        }

        // Devices of a previous registration of this number lose their credentials below; remember them to log them out.
        var previousDevices = previousId is not null
            ? (await accounts.GetDeviceRegistrationsAsync(previousId, cancellationToken)).Select(d => new DeviceAddress(previousId, d.DeviceId)).ToList()
            : [];
        var password = DeviceCredentials.NewPassword();
        var spk = request.SignedPreKey;
        var device = new DeviceRecord(Guid.NewGuid().ToString(), PrimaryDeviceId, request.RegistrationId, request.IdentityKey,
            new SignedPreKey(spk.KeyId, spk.PublicKey, spk.Signature), request.DeviceName, now.ToUnixTimeMilliseconds());
        var accountId = await accounts.RegisterPrimaryDeviceAsync(session.Number, device, DeviceCredentials.Hash(password),
            async (connection, transaction, accountId) =>
            {
                await KeyStore.AddKyberPreKeysAsync(connection, transaction, new DeviceAddress(accountId, PrimaryDeviceId),
                    [request.PqLastResortPreKey], lastResort: true, cancellationToken);
                await RegistrationSessionStore.DeleteAsync(connection, transaction, session.Id, cancellationToken);
            }, cancellationToken);
        directory.Invalidate(accountId);
        if (accountId != device.AccountId)
        {
            // Re-registration: the old devices' credentials are gone; close their connections now.
            await disconnector.DisconnectAsync(previousDevices, "logged out");
            log.LogInformation("Account re-registered for {MaskedNumber}; previous devices removed", PhoneNumber.Mask(session.Number));
        }
        else
        {
            log.LogInformation("Account created for {MaskedNumber}", PhoneNumber.Mask(session.Number));
        }
        return Results.Ok(new CreateAccountResponse(accountId, PrimaryDeviceId, password));
    }

    private static async Task<IResult> LookupAsync(string number, AccountStore accounts, CancellationToken cancellationToken)
    {
        if (!PhoneNumber.IsValid(number))
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidNumber, "The number must be in E.164 form, e.g. +4915112345678.");
        }
        var id = await accounts.FindIdByNumberAsync(number, cancellationToken);
        return id is null
            ? ApiProblem.NotFound(ErrorCodes.UnknownAccount, "No Parley account has this number.")
            : Results.Ok(new AccountLookupResponse(id));
    }
}
