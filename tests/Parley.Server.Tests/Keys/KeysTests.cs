using System.Net;
using Parley.Client.Api;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Keys;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Keys;

/// <summary>Prekey upload, status and the PQXDH bundle fetch, on both databases.</summary>
public abstract class KeysTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Bundle_hands_out_each_one_time_key_once_then_falls_back_to_the_last_resort_kyber_key()
    {
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 2);
        await using var alice = await TestUser.RegisterAsync(Server);

        var first = (await alice.Api.GetPreKeysAsync(alice.Credentials, bob.AccountId, 1)).Devices.Single();
        var second = (await alice.Api.GetPreKeysAsync(alice.Credentials, bob.AccountId)).Devices.Single();
        var third = (await alice.Api.GetPreKeysAsync(alice.Credentials, bob.AccountId)).Devices.Single();

        Assert.Equal(bob.RegistrationId, first.RegistrationId);
        Assert.Equal([1, 2], new[] { first.PreKey!.KeyId, second.PreKey!.KeyId });
        Assert.Equal([1, 2], new[] { first.PqPreKey.KeyId, second.PqPreKey.KeyId });
        Assert.Null(third.PreKey);
        Assert.Equal(1000, third.PqPreKey.KeyId); // the last-resort key
        Assert.Equal(1000, (await alice.Api.GetPreKeysAsync(alice.Credentials, bob.AccountId)).Devices.Single().PqPreKey.KeyId);
        Assert.Equal(new PreKeyCountResponse(0, 0), await bob.Api.GetKeyStatusAsync(bob.Credentials));
    }

    [Fact]
    public async Task Concurrent_bundle_fetches_never_share_a_one_time_prekey()
    {
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        await bob.Api.SetKeysAsync(bob.Credentials, new SetKeysRequest(TestKeys.PreKeys(1, 60), PqPreKeys: TestKeys.KyberPreKeys(bob.Identity, 1, 60)));
        var fetchers = new List<TestUser>();
        for (var i = 0; i < 4; i++)
        {
            fetchers.Add(await TestUser.RegisterAsync(Server, preKeys: 0));
        }

        var fetches = Enumerable.Range(0, 80).Select(i =>
        {
            var fetcher = fetchers[i % fetchers.Count];
            return fetcher.Api.GetPreKeysAsync(fetcher.Credentials, bob.AccountId, 1);
        });
        var bundles = (await Task.WhenAll(fetches)).Select(r => r.Devices.Single()).ToList();

        var ecKeys = bundles.Where(b => b.PreKey is not null).Select(b => b.PreKey!.KeyId).ToList();
        Assert.Equal(60, ecKeys.Count);
        Assert.Equal(60, ecKeys.Distinct().Count());
        var kyberOneTime = bundles.Select(b => b.PqPreKey.KeyId).Where(id => id != 1000).ToList();
        Assert.Equal(60, kyberOneTime.Count);
        Assert.Equal(60, kyberOneTime.Distinct().Count());
        Assert.Equal(20, bundles.Count(b => b.PreKey is null));
        foreach (var fetcher in fetchers)
        {
            await fetcher.DisposeAsync();
        }
    }

    [Fact]
    public async Task Fetchers_racing_at_the_database_each_take_a_different_key_until_none_is_left()
    {
        // Straight at the store, so that the takers really collide in the database rather than being
        // spaced out by HTTP: 100 keys, 160 simultaneous takers, each on its own connection.
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        await bob.Api.SetKeysAsync(bob.Credentials, new SetKeysRequest(TestKeys.PreKeys(1, 100), PqPreKeys: TestKeys.KyberPreKeys(bob.Identity, 1, 100)));
        var store = new KeyStore(Server.OpenDatabase());
        var device = new DeviceAddress(bob.AccountId, bob.Credentials.DeviceId);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var takers = Enumerable.Range(0, 160).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return (Ec: await store.TakePreKeyAsync(device, CancellationToken.None),
                Kyber: await store.TakeKyberPreKeyAsync(device, CancellationToken.None));
        })).ToList();
        start.SetResult();
        var taken = await Task.WhenAll(takers);

        var ecKeys = taken.Where(t => t.Ec is not null).Select(t => t.Ec!.KeyId).ToList();
        Assert.Equal(100, ecKeys.Distinct().Count());
        Assert.Equal(100, ecKeys.Count);
        var kyberOneTime = taken.Select(t => t.Kyber!.KeyId).Where(id => id != 1000).ToList();
        Assert.Equal(100, kyberOneTime.Distinct().Count());
        Assert.Equal(100, kyberOneTime.Count);
    }

    [Fact]
    public async Task Uploaded_keys_are_counted_for_replenishment_and_a_new_signed_prekey_replaces_the_old()
    {
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var alice = await TestUser.RegisterAsync(Server);
        var newSigned = TestKeys.SignedPreKey(bob.Identity, 7);
        await bob.Api.SetKeysAsync(bob.Credentials, new SetKeysRequest(TestKeys.PreKeys(10, 3), newSigned, TestKeys.KyberPreKeys(bob.Identity, 10, 4)));

        Assert.Equal(new PreKeyCountResponse(3, 4), await bob.Api.GetKeyStatusAsync(bob.Credentials));
        var bundle = (await alice.Api.GetPreKeysAsync(alice.Credentials, bob.AccountId, 1)).Devices.Single();
        Assert.Equal(7, bundle.SignedPreKey.KeyId);
        Assert.Equal(newSigned.PublicKey, bundle.SignedPreKey.PublicKey);
    }

    public static TheoryData<string, SetKeysRequest> MalformedUploads => new()
    {
        { "short EC prekey", new SetKeysRequest([new PreKeyDto(1, new byte[32])]) },
        { "EC prekey without 0x05", new SetKeysRequest([new PreKeyDto(1, [0x06, .. new byte[32]])]) },
        { "Kyber key of wrong size", new SetKeysRequest(PqPreKeys: [new KyberPreKeyDto(1, [0x08, .. new byte[100]], new byte[64])]) },
        { "signature of wrong size", new SetKeysRequest(SignedPreKey: new SignedPreKeyDto(1, TestKeys.CurveKey(), new byte[10])) },
        { "last-resort key with EC type", new SetKeysRequest(PqLastResortPreKey: new KyberPreKeyDto(1, TestKeys.CurveKey(), new byte[64])) },
    };

    [Theory]
    [MemberData(nameof(MalformedUploads))]
    public async Task Malformed_keys_are_refused_and_nothing_is_stored(string what, SetKeysRequest upload)
    {
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        var mixed = upload with { PreKeys = [.. upload.PreKeys ?? [], .. TestKeys.PreKeys(50, 2)] };
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => bob.Api.SetKeysAsync(bob.Credentials, mixed));
        Assert.True(error.Code == ErrorCodes.InvalidKey, $"{what}: expected invalid_key, got {error.Code}");
        Assert.Equal(new PreKeyCountResponse(0, 0), await bob.Api.GetKeyStatusAsync(bob.Credentials));
    }

    [Fact]
    public async Task Kyber_prekey_signed_by_another_identity_is_refused_and_nothing_is_stored()
    {
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        var forged = TestKeys.KyberPreKeys(Crypto.KeyHelper.GenerateIdentityKeyPair(), 1, 1);
        var error = await Assert.ThrowsAsync<ParleyApiException>(() =>
            bob.Api.SetKeysAsync(bob.Credentials, new SetKeysRequest(TestKeys.PreKeys(1, 3), PqPreKeys: forged)));
        Assert.Equal(ErrorCodes.InvalidSignature, error.Code);
        Assert.Equal(new PreKeyCountResponse(0, 0), await bob.Api.GetKeyStatusAsync(bob.Credentials));
    }

    [Fact]
    public async Task Too_many_keys_in_one_upload_are_refused()
    {
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        var error = await Assert.ThrowsAsync<ParleyApiException>(() =>
            bob.Api.SetKeysAsync(bob.Credentials, new SetKeysRequest(TestKeys.PreKeys(1, 101))));
        Assert.Equal(ErrorCodes.TooManyKeys, error.Code);
    }

    [Fact]
    public async Task Unknown_account_and_unknown_device_are_told_apart()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        var unknownAccount = await Assert.ThrowsAsync<ParleyApiException>(() =>
            alice.Api.GetPreKeysAsync(alice.Credentials, Guid.NewGuid().ToString()));
        Assert.Equal(ErrorCodes.UnknownAccount, unknownAccount.Code);
        Assert.Equal(HttpStatusCode.NotFound, unknownAccount.Status);
        var unknownDevice = await Assert.ThrowsAsync<ParleyApiException>(() =>
            alice.Api.GetPreKeysAsync(alice.Credentials, alice.AccountId, 3));
        Assert.Equal(ErrorCodes.UnknownDevice, unknownDevice.Code);
    }

    [Fact]
    public async Task Bundles_and_look_ups_require_authentication()
    {
        await using var bob = await TestUser.RegisterAsync(Server);
        using var anonymous = new HttpClient { BaseAddress = Server.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"v1/keys/{bob.AccountId}/*")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"v1/accounts/lookup/{Uri.EscapeDataString(bob.Number)}")).StatusCode);
    }

    [Fact]
    public async Task Looking_up_an_unregistered_number_says_unknown_account()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => alice.Api.LookupAsync(alice.Credentials, TestUser.NewNumber()));
        Assert.Equal(ErrorCodes.UnknownAccount, error.Code);
    }
}

public sealed class KeysTestsOnSqlite(SqliteServerFixture fixture) : KeysTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class KeysTestsOnPostgres(PostgresServerFixture fixture) : KeysTests(fixture), IClassFixture<PostgresServerFixture>;
