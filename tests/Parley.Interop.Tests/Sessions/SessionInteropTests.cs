using System.Text;
using Parley.Crypto;
using Parley.Crypto.Messages;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sessions;

/// <summary>PQXDH session setup and the Double Ratchet between Parley.Crypto and libsignal, both ways.</summary>
[Collection(LibsignalCollection.Name)]
public sealed class SessionInteropTests(LibsignalHarness libsignal)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Libsignal_starts_a_session_from_a_Parley_bundle_and_both_sides_keep_talking(bool withOneTimePreKey)
    {
        var (parley, theirs) = await PairAsync("lib-starts");
        await theirs.ProcessBundleAsync(parley, await parley.NewBundleAsync(withOneTimePreKey));

        var first = await theirs.EncryptAsync(parley, Text("hello from libsignal"));
        Assert.Equal(WireMessage.PreKeyType, first.Type);
        Assert.Equal("hello from libsignal", Encoding.UTF8.GetString(await parley.DecryptAsync(theirs, first)));

        await ConverseAsync(parley, theirs, rounds: 6);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Parley_starts_a_session_from_a_libsignal_bundle_and_both_sides_keep_talking(bool withOneTimePreKey)
    {
        var (parley, theirs) = await PairAsync("parley-starts");
        await parley.ProcessBundleAsync(theirs, await theirs.NewBundleAsync(withOneTimePreKey));

        var first = await parley.EncryptAsync(theirs, Text("hello from Parley"));
        Assert.Equal(WireMessage.PreKeyType, first.Type);
        Assert.Equal("hello from Parley", Encoding.UTF8.GetString(await theirs.DecryptAsync(parley, first)));
        var info = await libsignal.SessionInfoAsync(theirs.Party, parley.Name, parley.DeviceId);
        Assert.Equal(await parley.Store.GetLocalRegistrationIdAsync(), info["remoteRegistrationId"]!.GetValue<uint>());

        await ConverseAsync(parley, theirs, rounds: 6);
    }

    [Fact]
    public async Task A_Parley_prekey_message_carries_the_fields_libsignal_expects()
    {
        var (parley, theirs) = await PairAsync("prekey-fields");
        var bundle = await theirs.NewBundleAsync(withOneTimePreKey: true);
        await parley.ProcessBundleAsync(theirs, bundle);

        var message = await parley.EncryptAsync(theirs, Text("fields"));
        var read = await libsignal.InspectMessageAsync(message);

        Assert.Equal(0x44, message.Body[0]);
        Assert.Equal(4, read["version"]!.GetValue<int>());
        Assert.Equal(await parley.Store.GetLocalRegistrationIdAsync(), read["registrationId"]!.GetValue<uint>());
        Assert.Equal(bundle.PreKeyId, read["preKeyId"]!.GetValue<uint>());
        Assert.Equal(bundle.SignedPreKeyId, read["signedPreKeyId"]!.GetValue<uint>());
    }

    [Fact]
    public async Task A_libsignal_prekey_message_is_read_by_Parley_with_the_same_fields()
    {
        var (parley, theirs) = await PairAsync("prekey-read");
        var bundle = await parley.NewBundleAsync(withOneTimePreKey: true);
        await theirs.ProcessBundleAsync(parley, bundle);

        var message = PreKeySignalMessage.Deserialize((await theirs.EncryptAsync(parley, Text("fields"))).Body);

        Assert.Equal(4, message.MessageVersion);
        Assert.Equal(theirs.Party.RegistrationId, message.RegistrationId);
        Assert.Equal(bundle.PreKeyId, message.PreKeyId);
        Assert.Equal(bundle.SignedPreKeyId, message.SignedPreKeyId);
        Assert.Equal(bundle.KyberPreKeyId, message.KyberPreKeyId);
        Assert.Equal(Convert.ToHexString(theirs.Party.IdentityKey), Convert.ToHexString(message.IdentityKey.Serialize()));
        Assert.Equal(0u, message.Message.Counter);
    }

    [Fact]
    public async Task Both_sides_start_a_session_at_the_same_time_and_the_conversation_settles_on_one_session()
    {
        var (parley, theirs) = await PairAsync("simultaneous");
        await parley.ProcessBundleAsync(theirs, await theirs.NewBundleAsync(true));
        await theirs.ProcessBundleAsync(parley, await parley.NewBundleAsync(true));

        var fromParley = await parley.EncryptAsync(theirs, Text("parley first"));
        var fromLibsignal = await theirs.EncryptAsync(parley, Text("libsignal first"));
        Assert.Equal("libsignal first", Encoding.UTF8.GetString(await parley.DecryptAsync(theirs, fromLibsignal)));
        Assert.Equal("parley first", Encoding.UTF8.GetString(await theirs.DecryptAsync(parley, fromParley)));

        await ConverseAsync(parley, theirs, rounds: 4);
    }

    [Fact]
    public async Task A_prekey_message_from_libsignal_delivered_twice_is_refused_the_second_time_by_Parley()
    {
        var (parley, theirs) = await PairAsync("prekey-twice");
        await theirs.ProcessBundleAsync(parley, await parley.NewBundleAsync(true));
        var first = await theirs.EncryptAsync(parley, Text("once"));

        await parley.DecryptAsync(theirs, first);
        var again = await Assert.ThrowsAsync<SignalProtocolException>(() => parley.DecryptAsync(theirs, first));

        Assert.Equal(SignalError.DuplicateMessage, again.Error);
        await ConverseAsync(parley, theirs, rounds: 2);
    }

    [Fact]
    public async Task A_libsignal_message_with_a_flipped_bit_is_refused_by_Parley_and_the_genuine_one_still_decrypts()
    {
        var (parley, theirs) = await PairAsync("tampered");
        await parley.ProcessBundleAsync(theirs, await theirs.NewBundleAsync(true));
        await theirs.DecryptAsync(parley, await parley.EncryptAsync(theirs, Text("start")));

        var random = new Random(3001);
        for (var i = 0; i < 20; i++)
        {
            var genuine = await theirs.EncryptAsync(parley, Text($"genuine {i}"));
            Assert.Equal(WireMessage.SignalType, genuine.Type);
            var forged = (byte[])genuine.Body.Clone();
            var bit = random.Next(8, forged.Length * 8); // past the version byte
            forged[bit / 8] ^= (byte)(1 << (bit % 8));

            await Assert.ThrowsAsync<SignalProtocolException>(() => parley.DecryptAsync(theirs, genuine with { Body = forged }));
            Assert.Equal($"genuine {i}", Encoding.UTF8.GetString(await parley.DecryptAsync(theirs, genuine)));
        }
    }

    [Fact]
    public async Task A_libsignal_peer_with_a_new_identity_is_not_trusted_by_Parley_until_accepted()
    {
        var (parley, theirs) = await PairAsync("identity-change");
        await parley.ProcessBundleAsync(theirs, await theirs.NewBundleAsync(true));
        await theirs.DecryptAsync(parley, await parley.EncryptAsync(theirs, Text("before")));

        // The same address reinstalls: libsignal forgets everything and makes a new identity.
        var reinstalled = await LibsignalDevice.CreateAsync(libsignal, theirs.Name);
        var error = await Assert.ThrowsAsync<SignalProtocolException>(
            async () => await parley.ProcessBundleAsync(reinstalled, await reinstalled.NewBundleAsync(true)));

        Assert.Equal(SignalError.UntrustedIdentity, error.Error);
    }

    private async Task<(ParleyDevice Parley, LibsignalDevice Libsignal)> PairAsync(string test)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        return (new ParleyDevice($"parley-{test}-{id}"), await LibsignalDevice.CreateAsync(libsignal, $"libsignal-{test}-{id}"));
    }

    /// <summary>Alternating bursts each way; every message must decrypt on the other side.</summary>
    private static async Task ConverseAsync(ISignalDevice a, ISignalDevice b, int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (from, to) in new[] { (a, b), (b, a) })
            {
                for (var i = 0; i <= round % 3; i++)
                {
                    var text = $"{from.Implementation} round {round} message {i}";
                    var message = await from.EncryptAsync(to, Text(text));
                    Assert.Equal(text, Encoding.UTF8.GetString(await to.DecryptAsync(from, message)));
                }
            }
        }
    }

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);
}
