using System.Security.Cryptography;
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

    public static async Task<BenchUser> RegisterAsync(ParleyApi api, string smsOutbox, string number)
    {
        var session = await api.StartRegistrationAsync(number);
        var code = await ReadCodeAsync(smsOutbox, number);
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

    public static string RandomNumber() => "+1999" + RandomNumberGenerator.GetInt32(0, 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<string> ReadCodeAsync(string smsOutbox, string number)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (File.Exists(smsOutbox))
            {
                using var stream = new FileStream(smsOutbox, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                string? line, found = null;
                while ((line = await reader.ReadLineAsync()) is not null)
                {
                    if (line.StartsWith(number + " ", StringComparison.Ordinal))
                    {
                        found = line[(number.Length + 1)..];
                    }
                }
                if (found is not null)
                {
                    return found;
                }
            }
            await Task.Delay(25);
        }
        throw new InvalidOperationException($"No code for {number} in {smsOutbox}: pass the server's --sms-outbox path.");
    }
}
