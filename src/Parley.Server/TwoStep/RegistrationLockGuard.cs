using OtpNet;
using Parley.Protocol.Rest;
using Parley.Server.Hosting;

namespace Parley.Server.TwoStep;

public enum LockVerdict
{
    Passed,
    Required,
    Incorrect,
    Throttled,
    Locked,
}

public sealed record LockCheck(LockVerdict Verdict, int RemainingAttempts = 0, TimeSpan RetryAfter = default);

/// <summary>
/// Checks a two-step PIN (or authenticator code) against an account's lock, throttling guesses:
/// the first <see cref="FreeAttempts"/> wrong answers cost nothing, each further one doubles a
/// wait starting at five seconds, and <see cref="MaxAttempts"/> wrong answers lock the account's
/// re-registration for a day. Callers reach this only after proving the number by SMS, so saying
/// that a PIN is needed reveals nothing to a stranger.
/// </summary>
public sealed class RegistrationLockGuard(RegistrationLockStore store, TimeProvider clock)
{
    public const int FreeAttempts = 3;
    public const int MaxAttempts = 10;
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan LockDuration = TimeSpan.FromDays(1);

    public async Task<LockCheck> CheckAsync(string accountId, RegistrationLock registrationLock, string? supplied, bool allowAuthenticator,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (registrationLock.NextAttemptAt > now)
        {
            var wait = TimeSpan.FromMilliseconds(registrationLock.NextAttemptAt - now);
            return new LockCheck(registrationLock.FailedAttempts >= MaxAttempts ? LockVerdict.Locked : LockVerdict.Throttled,
                Math.Max(MaxAttempts - registrationLock.FailedAttempts, 0), wait);
        }
        supplied = supplied?.Trim();
        if (string.IsNullOrEmpty(supplied))
        {
            return new LockCheck(LockVerdict.Required, MaxAttempts - Math.Min(registrationLock.FailedAttempts, MaxAttempts));
        }
        if (PinHashing.Matches(registrationLock.PinHash, supplied)
            || (allowAuthenticator && registrationLock.TotpSecret is { } secret && AuthenticatorCodeMatches(secret, supplied)))
        {
            if (registrationLock.FailedAttempts > 0)
            {
                await store.RecordAttemptAsync(accountId, 0, 0, cancellationToken);
            }
            return new LockCheck(LockVerdict.Passed);
        }
        var failed = Math.Min(registrationLock.FailedAttempts + 1, MaxAttempts);
        var delay = failed >= MaxAttempts ? LockDuration
            : failed > FreeAttempts ? FirstDelay * Math.Pow(2, failed - FreeAttempts - 1)
            : TimeSpan.Zero;
        await store.RecordAttemptAsync(accountId, failed, delay > TimeSpan.Zero ? now + (long)delay.TotalMilliseconds : 0, cancellationToken);
        return new LockCheck(failed >= MaxAttempts ? LockVerdict.Locked : LockVerdict.Incorrect, MaxAttempts - failed, delay);
    }

    public static bool AuthenticatorCodeMatches(byte[] secret, string code) =>
        code.Length == 6 && code.All(char.IsAsciiDigit) && new Totp(secret).VerifyTotp(code, out _, VerificationWindow.RfcSpecifiedNetworkDelay);

    /// <summary>The error answer for a check that did not pass.</summary>
    public static IResult Problem(LockCheck check)
    {
        var extra = new Dictionary<string, object?>
        {
            ["remainingAttempts"] = check.RemainingAttempts,
            ["retryAfterSeconds"] = (int)Math.Ceiling(check.RetryAfter.TotalSeconds),
        };
        return check.Verdict switch
        {
            LockVerdict.Required => ApiProblem.Create(StatusCodes.Status423Locked, ErrorCodes.RegistrationLockRequired,
                "This number is protected by two-step verification: enter its 6-digit PIN (or an authenticator code).", extra),
            LockVerdict.Incorrect => ApiProblem.Create(StatusCodes.Status403Forbidden, ErrorCodes.IncorrectPin,
                "The PIN is not correct.", extra),
            LockVerdict.Throttled => ApiProblem.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.TooManyAttempts,
                "Too many wrong PINs; wait before trying again.", extra),
            _ => ApiProblem.Create(StatusCodes.Status423Locked, ErrorCodes.RegistrationLocked,
                "Too many wrong PINs: two-step verification is locked for a day.", extra),
        };
    }
}
