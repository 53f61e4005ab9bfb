using System.Security.Cryptography;
using System.Text.Json;
using Parley.Client.Api;
using Parley.Client.Transport;
using Parley.Crypto;
using Parley.Protocol.Rest;

namespace Parley.Bench;

/// <summary>A user registered through the real API (SMS code read from the development outbox).</summary>
public sealed class BenchUser(string number, int registrationId, DeviceCredentials credentials)
{
    public string Number { get; } = number;
    public int RegistrationId { get; } = registrationId;
    public DeviceCredentials Credentials { get; } = credentials;
    public ParleyConnection? Connection { get; set; }

    public static async Task<BenchUser> RegisterAsync(ParleyApi api, SmsOutbox outbox, string number)
    {
        var session = await api.StartRegistrationAsync(number);
        var code = await outbox.CodeForAsync(number);
        await api.VerifyCodeAsync(session.SessionId, code);
        var identity = KeyHelper.GenerateIdentityKeyPair();
        var signed = KeyHelper.GenerateSignedPreKey(identity, 1);
        var lastResort = KeyHelper.GenerateKyberPreKey(identity, 1);
        var registrationId = (int)KeyHelper.GenerateRegistrationId();
        var account = await api.CreateAccountAsync(new CreateAccountRequest(session.SessionId, registrationId, identity.PublicKey.Serialize(),
            new SignedPreKeyDto(1, signed.KeyPair.PublicKey.Serialize(), signed.Signature),
            new KyberPreKeyDto(1, lastResort.KeyPair.PublicKey.Serialize(), lastResort.Signature)));
        return new BenchUser(number, registrationId, new DeviceCredentials(account.AccountId, account.DeviceId, account.Password));
    }

    public static string RandomNumber() => TestNumber(RandomNumberGenerator.GetInt32(0, 100_000_000));

    /// <summary>A number in the +1999 test range (8 digits after the prefix).</summary>
    public static string TestNumber(int suffix) => "+1999" + suffix.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One line of an accounts file. The file holds device passwords: keep it next to the bench's server data.</summary>
    public string ToJsonLine() => JsonSerializer.Serialize(new SavedAccount(Number, RegistrationId, Credentials.AccountId, Credentials.DeviceId, Credentials.Password));

    public static BenchUser FromJsonLine(string line)
    {
        var saved = JsonSerializer.Deserialize<SavedAccount>(line) ?? throw new InvalidDataException("Empty line in the accounts file.");
        return new BenchUser(saved.Number, saved.RegistrationId, new DeviceCredentials(saved.AccountId, saved.DeviceId, saved.Password));
    }

    private sealed record SavedAccount(string Number, int RegistrationId, string AccountId, int DeviceId, string Password);
}
