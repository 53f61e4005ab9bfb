using System.Net;
using Parley.Client.Api;
using Parley.Client.Transport;
using Parley.Crypto;
using Parley.Protocol.Rest;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Registration;

/// <summary>Phone-number verification and account creation, on both databases.</summary>
public abstract class RegistrationTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Verified_number_creates_an_account_whose_device_can_authenticate()
    {
        await using var user = await TestUser.RegisterAsync(Server);

        Assert.True(Guid.TryParse(user.AccountId, out _));
        Assert.Equal(1, user.Credentials.DeviceId);
        var status = await user.Api.GetKeyStatusAsync(user.Credentials);
        Assert.Equal(5, status.Count);
        var lookedUp = await user.Api.LookupAsync(user.Credentials, user.Number);
        Assert.Equal(user.AccountId, lookedUp.AccountId);
    }

    [Fact]
    public async Task Code_goes_to_the_development_sms_outbox_as_number_and_six_digits()
    {
        var number = TestUser.NewNumber();
        await Server.NewApi().StartRegistrationAsync(number);
        var code = await Server.ReadCodeAsync(number);
        Assert.Matches("^[0-9]{6}$", code);
    }

    [Fact]
    public async Task Wrong_code_is_refused_with_remaining_attempts_and_the_sixth_try_is_locked_out()
    {
        var api = Server.NewApi();
        var number = TestUser.NewNumber();
        var session = await api.StartRegistrationAsync(number);
        var right = await Server.ReadCodeAsync(number);
        var wrong = right == "000000" ? "111111" : "000000";

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var error = await Assert.ThrowsAsync<ParleyApiException>(() => api.VerifyCodeAsync(session.SessionId, wrong));
            Assert.Equal(ErrorCodes.IncorrectCode, error.Code);
            Assert.Equal(5 - attempt, error.RemainingAttempts);
        }
        var locked = await Assert.ThrowsAsync<ParleyApiException>(() => api.VerifyCodeAsync(session.SessionId, right));
        Assert.Equal(ErrorCodes.TooManyAttempts, locked.Code);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.Status);
    }

    [Fact]
    public async Task Expired_code_is_refused()
    {
        var api = Server.NewApi();
        var number = TestUser.NewNumber();
        var session = await api.StartRegistrationAsync(number);
        var code = await Server.ReadCodeAsync(number);
        // Ten minutes pass.
        await Server.ExecuteSqlAsync("UPDATE registration_sessions SET code_expires_at = 1 WHERE id = @id", ("id", session.SessionId));

        var error = await Assert.ThrowsAsync<ParleyApiException>(() => api.VerifyCodeAsync(session.SessionId, code));
        Assert.Equal(ErrorCodes.CodeExpired, error.Code);
        Assert.Equal(HttpStatusCode.Gone, error.Status);
    }

    [Fact]
    public async Task A_resent_code_replaces_the_old_one()
    {
        var api = Server.NewApi();
        var number = TestUser.NewNumber();
        var session = await api.StartRegistrationAsync(number);
        var first = await Server.ReadCodeAsync(number);
        string second;
        do
        {
            await api.ResendCodeAsync(session.SessionId);
            second = await Server.ReadCodeAsync(number);
        }
        while (second == first);

        var error = await Assert.ThrowsAsync<ParleyApiException>(() => api.VerifyCodeAsync(session.SessionId, first));
        Assert.Equal(ErrorCodes.IncorrectCode, error.Code);
        Assert.True((await api.VerifyCodeAsync(session.SessionId, second)).Verified);
    }

    [Theory]
    [InlineData("4915112345678")]
    [InlineData("+0123456789")]
    [InlineData("+49 151 1234")]
    [InlineData("+1234")]
    [InlineData("")]
    public async Task Malformed_numbers_are_refused(string number)
    {
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => Server.NewApi().StartRegistrationAsync(number));
        Assert.Equal(ErrorCodes.InvalidNumber, error.Code);
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
    }

    [Fact]
    public async Task Codes_per_number_are_rate_limited()
    {
        var api = Server.NewApi();
        var number = TestUser.NewNumber();
        for (var i = 0; i < 5; i++)
        {
            await api.StartRegistrationAsync(number);
        }
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => api.StartRegistrationAsync(number));
        Assert.Equal(ErrorCodes.RateLimited, error.Code);
        Assert.Equal(HttpStatusCode.TooManyRequests, error.Status);
    }

    [Fact]
    public async Task Account_cannot_be_created_without_verifying_the_code()
    {
        var api = Server.NewApi();
        var session = await api.StartRegistrationAsync(TestUser.NewNumber());
        var identity = KeyHelper.GenerateIdentityKeyPair();
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => api.CreateAccountAsync(new CreateAccountRequest(
            session.SessionId, 42, identity.PublicKey.Serialize(), TestKeys.SignedPreKey(identity), TestKeys.KyberPreKey(identity, 1))));
        Assert.Equal(ErrorCodes.SessionNotVerified, error.Code);
    }

    [Fact]
    public async Task Account_with_malformed_keys_is_refused()
    {
        var api = Server.NewApi();
        var number = TestUser.NewNumber();
        var session = await api.StartRegistrationAsync(number);
        await api.VerifyCodeAsync(session.SessionId, await Server.ReadCodeAsync(number));
        var identity = KeyHelper.GenerateIdentityKeyPair();
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => api.CreateAccountAsync(new CreateAccountRequest(
            session.SessionId, 42, [0x05, 1, 2, 3], TestKeys.SignedPreKey(identity), TestKeys.KyberPreKey(identity, 1))));
        Assert.Equal(ErrorCodes.InvalidKey, error.Code);
    }

    [Fact]
    public async Task Account_whose_prekeys_are_signed_by_another_identity_is_refused()
    {
        var api = Server.NewApi();
        var number = TestUser.NewNumber();
        var session = await api.StartRegistrationAsync(number);
        await api.VerifyCodeAsync(session.SessionId, await Server.ReadCodeAsync(number));
        var identity = KeyHelper.GenerateIdentityKeyPair();
        var impostor = KeyHelper.GenerateIdentityKeyPair();
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => api.CreateAccountAsync(new CreateAccountRequest(
            session.SessionId, 42, identity.PublicKey.Serialize(), TestKeys.SignedPreKey(impostor), TestKeys.KyberPreKey(identity, 1))));
        Assert.Equal(ErrorCodes.InvalidSignature, error.Code);
    }

    [Fact]
    public async Task Unknown_session_is_reported_as_such()
    {
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => Server.NewApi().VerifyCodeAsync("nope", "123456"));
        Assert.Equal(ErrorCodes.UnknownSession, error.Code);
        Assert.Equal(HttpStatusCode.NotFound, error.Status);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_device_are_unauthorized()
    {
        await using var user = await TestUser.RegisterAsync(Server);
        var wrong = user.Credentials with { Password = DeviceCredentialsFor.Random() };
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => user.Api.GetKeyStatusAsync(wrong));
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        var otherDevice = user.Credentials with { DeviceId = 2 };
        error = await Assert.ThrowsAsync<ParleyApiException>(() => user.Api.GetKeyStatusAsync(otherDevice));
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
    }

    [Fact]
    public async Task Re_registering_a_number_keeps_the_account_id_replaces_the_device_and_logs_the_old_one_out()
    {
        var number = TestUser.NewNumber();
        await using var sender = await TestUser.RegisterAsync(Server);
        await using var old = await TestUser.RegisterAsync(Server, number);
        var oldSocket = await old.ConnectAsync();
        var senderSocket = await sender.ConnectAsync();
        await senderSocket.SendAsync(TestUser.MessageTo(old, "queued for the old device"));
        await Expect.EnvelopeAsync(oldSocket, "the message on the old device");

        await using var fresh = await TestUser.RegisterAsync(Server, number);

        Assert.Equal(old.AccountId, fresh.AccountId);
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => old.Api.GetKeyStatusAsync(old.Credentials));
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        await WaitForStateAsync(oldSocket, ConnectionState.LoggedOut);
        var freshSocket = await fresh.ConnectAsync(waitForBacklog: false);
        Assert.Equal(0, await freshSocket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
        // The sender's old session targets a registration id that no longer exists.
        var stale = await Expect.RejectedAsync(senderSocket.SendAsync(TestUser.MessageTo(old, "to the old keys")));
        Assert.Equal(ErrorCode.StaleDevices, stale.Code);
        Assert.Equal([1u], stale.Error.StaleDevices);
    }

    private static async Task WaitForStateAsync(ParleyConnection connection, ConnectionState state)
    {
        var deadline = DateTime.UtcNow + Expect.Timeout;
        while (connection.State != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Expected the connection to become {state}, but it stayed {connection.State}.");
            await Task.Delay(20);
        }
    }

    private static class DeviceCredentialsFor
    {
        public static string Random() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    }
}

public sealed class RegistrationTestsOnSqlite(SqliteServerFixture fixture) : RegistrationTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class RegistrationTestsOnPostgres(PostgresServerFixture fixture) : RegistrationTests(fixture), IClassFixture<PostgresServerFixture>;
