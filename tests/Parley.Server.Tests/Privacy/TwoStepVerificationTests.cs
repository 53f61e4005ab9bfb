using Parley.Client.Api;
using Parley.Protocol.Rest;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Privacy;

/// <summary>Registration lock: the SMS code alone no longer takes over a number protected by a PIN.</summary>
public abstract class TwoStepVerificationTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    /// <summary>Passes the SMS step for the number and answers a function that tries to create the account with a PIN.</summary>
    private async Task<Func<string?, Task<CreateAccountResponse>>> VerifiedAttemptAsync(string number)
    {
        var api = Server.NewApi();
        var session = await api.StartRegistrationAsync(number);
        await api.VerifyCodeAsync(session.SessionId, await Server.ReadCodeAsync(number));
        var identity = Crypto.KeyHelper.GenerateIdentityKeyPair();
        return pin => api.CreateAccountAsync(new CreateAccountRequest(session.SessionId, 4242, identity.PublicKey.Serialize(),
            TestKeys.SignedPreKey(identity), TestKeys.KyberPreKey(identity, 1000), RegistrationLock: pin));
    }

    [Fact]
    public async Task Re_registration_needs_the_pin_and_wrong_pins_are_throttled_with_growing_delays()
    {
        await using var owner = await TestUser.RegisterAsync(Server, preKeys: 0);
        await owner.Api.SetPinAsync(owner.Credentials, "246810");
        Assert.True((await owner.Api.GetTwoStepAsync(owner.Credentials)).PinEnabled);

        var attempt = await VerifiedAttemptAsync(owner.Number);
        var missing = await Assert.ThrowsAsync<ParleyApiException>(() => attempt(null));
        Assert.Equal((423, ErrorCodes.RegistrationLockRequired), ((int)missing.Status, missing.Code));

        for (var wrong = 1; wrong <= 3; wrong++)
        {
            var refused = await Assert.ThrowsAsync<ParleyApiException>(() => attempt("111111"));
            Assert.Equal(ErrorCodes.IncorrectPin, refused.Code);
            Assert.Equal(10 - wrong, refused.RemainingAttempts);
        }
        var fourth = await Assert.ThrowsAsync<ParleyApiException>(() => attempt("111111"));
        Assert.Equal(ErrorCodes.IncorrectPin, fourth.Code);
        Assert.Equal(5, fourth.RetryAfterSeconds);
        var throttled = await Assert.ThrowsAsync<ParleyApiException>(() => attempt("246810"));
        Assert.Equal(ErrorCodes.TooManyAttempts, throttled.Code); // even the right PIN waits

        // The owner's device still works throughout.
        await (await owner.ConnectAsync()).PingAsync();

        await Task.Delay(TimeSpan.FromSeconds(throttled.RetryAfterSeconds!.Value + 0.2));
        var created = await attempt("246810");
        Assert.Equal(owner.AccountId, created.AccountId);
        Assert.Equal(1, await Server.ScalarAsync("SELECT COUNT(*) FROM registration_locks WHERE account_id = @a AND failed_attempts = 0",
            ("a", owner.AccountId))); // the PIN stays, the count of wrong tries is reset
    }

    [Fact]
    public async Task Changing_or_removing_the_pin_needs_the_current_one_and_without_a_pin_sms_is_enough()
    {
        await using var owner = await TestUser.RegisterAsync(Server, preKeys: 0);
        var api = owner.Api;
        await api.SetPinAsync(owner.Credentials, "135790");
        Assert.Equal(ErrorCodes.RegistrationLockRequired,
            (await Assert.ThrowsAsync<ParleyApiException>(() => api.SetPinAsync(owner.Credentials, "000000"))).Code);
        Assert.Equal(ErrorCodes.IncorrectPin,
            (await Assert.ThrowsAsync<ParleyApiException>(() => api.SetPinAsync(owner.Credentials, "000000", "999999"))).Code);
        Assert.Equal(ErrorCodes.InvalidPin,
            (await Assert.ThrowsAsync<ParleyApiException>(() => api.SetPinAsync(owner.Credentials, "12ab56", "135790"))).Code);
        await api.SetPinAsync(owner.Credentials, "000000", "135790");
        Assert.Equal(ErrorCodes.IncorrectPin, (await Assert.ThrowsAsync<ParleyApiException>(() => api.RemovePinAsync(owner.Credentials, "135790"))).Code);
        await api.RemovePinAsync(owner.Credentials, "000000");
        Assert.False((await api.GetTwoStepAsync(owner.Credentials)).PinEnabled);

        var attempt = await VerifiedAttemptAsync(owner.Number);
        Assert.Equal(owner.AccountId, (await attempt(null)).AccountId);
    }

    [Fact]
    public async Task An_authenticator_code_unlocks_re_registration_once_confirmed()
    {
        await using var owner = await TestUser.RegisterAsync(Server, preKeys: 0);
        await owner.Api.SetPinAsync(owner.Credentials, "482915");
        var setup = await owner.Api.StartAuthenticatorAsync(owner.Credentials, "482915");
        Assert.StartsWith("otpauth://totp/Parley:", setup.OtpAuthUri, StringComparison.Ordinal);
        var totp = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(setup.Secret));
        Assert.Equal(ErrorCodes.IncorrectCode,
            (await Assert.ThrowsAsync<ParleyApiException>(() => owner.Api.ConfirmAuthenticatorAsync(owner.Credentials, Wrong(totp.ComputeTotp())))).Code);
        await owner.Api.ConfirmAuthenticatorAsync(owner.Credentials, totp.ComputeTotp());
        Assert.True((await owner.Api.GetTwoStepAsync(owner.Credentials)).AuthenticatorEnabled);

        var attempt = await VerifiedAttemptAsync(owner.Number);
        Assert.Equal(ErrorCodes.IncorrectPin, (await Assert.ThrowsAsync<ParleyApiException>(() => attempt(Wrong(totp.ComputeTotp())))).Code);
        Assert.Equal(owner.AccountId, (await attempt(totp.ComputeTotp())).AccountId);
    }

    /// <summary>A six-digit code that is certainly not the current one.</summary>
    private static string Wrong(string code) => ((int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) + 500_000) % 1_000_000)
        .ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class TwoStepVerificationTestsOnSqlite(SqliteServerFixture fixture) : TwoStepVerificationTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class TwoStepVerificationTestsOnPostgres(PostgresServerFixture fixture) : TwoStepVerificationTests(fixture), IClassFixture<PostgresServerFixture>;
