using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Client.Api;
using Parley.Client.Transport;
using Parley.Crypto;
using Parley.Crypto.Keys;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;

namespace Parley.Server.Tests.Infrastructure;

/// <summary>A registered user with one device, driven through the real client SDK.</summary>
public sealed class TestUser : IAsyncDisposable
{
    private readonly List<ParleyConnection> _connections = [];

    private TestUser(ParleyServer server, string number, IdentityKeyPair identity, int registrationId, DeviceCredentials credentials)
    {
        Identity = identity;
        Server = server;
        Number = number;
        RegistrationId = registrationId;
        Credentials = credentials;
        Api = server.NewApi();
    }

    public ParleyServer Server { get; }

    public IdentityKeyPair Identity { get; }

    public string Number { get; }

    public int RegistrationId { get; }

    public DeviceCredentials Credentials { get; }

    public string AccountId => Credentials.AccountId;

    public ParleyApi Api { get; }

    private static int _numbersIssued = RandomNumberGenerator.GetInt32(0, 5_000_000);

    /// <summary>
    /// A number no other user of this test process has: random ones collide (1,024 users among 10^7
    /// numbers do about 5% of the time), and a collision re-registers, logging the first user out.
    /// </summary>
    public static string NewNumber() =>
        "+1555" + (Interlocked.Increment(ref _numbersIssued) % 10_000_000).ToString("D7", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Registers a fresh number through SMS verification, with a few one-time keys uploaded.</summary>
    public static async Task<TestUser> RegisterAsync(ParleyServer server, string? number = null, int preKeys = 5, string? registrationLock = null)
    {
        number ??= NewNumber();
        var api = server.NewApi();
        var session = await api.StartRegistrationAsync(number);
        await api.VerifyCodeAsync(session.SessionId, await server.ReadCodeAsync(number));
        var registrationId = RandomNumberGenerator.GetInt32(1, 16380);
        var identity = KeyHelper.GenerateIdentityKeyPair();
        var account = await api.CreateAccountAsync(new CreateAccountRequest(session.SessionId, registrationId, identity.PublicKey.Serialize(),
            TestKeys.SignedPreKey(identity), TestKeys.KyberPreKey(identity, 1000), RegistrationLock: registrationLock));
        var user = new TestUser(server, number, identity, registrationId, new DeviceCredentials(account.AccountId, account.DeviceId, account.Password));
        if (preKeys > 0)
        {
            await user.Api.SetKeysAsync(user.Credentials,
                new SetKeysRequest(TestKeys.PreKeys(1, preKeys), PqPreKeys: TestKeys.KyberPreKeys(identity, 1, preKeys)));
        }
        return user;
    }

    /// <summary>Opens a WebSocket for this device and waits until its backlog has been delivered.</summary>
    public async Task<ParleyConnection> ConnectAsync(bool waitForBacklog = true)
    {
        var connection = new ParleyConnection(Server.BaseAddress, Credentials,
            new ConnectionOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) });
        _connections.Add(connection);
        await connection.ConnectAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (waitForBacklog)
        {
            await connection.WaitUntilDrainedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        return connection;
    }

    /// <summary>A message to <paramref name="recipient"/>'s primary device whose "ciphertext" is the given text.</summary>
    public static SendMessage MessageTo(TestUser recipient, string content) => new()
    {
        DestinationAccount = recipient.AccountId,
        MessageId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)),
        ClientTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        Ciphertexts =
        {
            new DeviceCiphertext
            {
                DeviceId = 1,
                RegistrationId = (uint)recipient.RegistrationId,
                Type = EnvelopeType.Ciphertext,
                Content = ByteString.CopyFromUtf8(content),
            },
        },
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
