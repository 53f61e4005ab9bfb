using System.Text;
using Parley.Crypto;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sessions;

/// <summary>
/// A forged or corrupted message from a libsignal peer is refused by Parley without changing any
/// store: the session record and the prekeys are byte for byte what they were, and the genuine
/// message still decrypts afterwards.
/// </summary>
[Collection(LibsignalCollection.Name)]
public sealed class FailedDecryptionTests(LibsignalHarness libsignal)
{
    [Fact]
    public async Task A_corrupted_prekey_message_from_libsignal_leaves_Parleys_prekeys_and_sessions_untouched()
    {
        var (parley, theirs) = await PairAsync("prekey");
        var bundle = await parley.NewBundleAsync(withOneTimePreKey: true);
        await theirs.ProcessBundleAsync(parley, bundle);
        var genuine = await theirs.EncryptAsync(parley, Encoding.UTF8.GetBytes("the real first message"));

        // Corrupt the last 24 bytes: libsignal writes the Kyber ciphertext last, so decapsulation yields
        // another secret (implicit rejection) and the MAC check must catch it.
        var random = new Random(7001);
        for (var i = 0; i < 10; i++)
        {
            var forged = (byte[])genuine.Body.Clone();
            var bit = random.Next((forged.Length - 24) * 8, forged.Length * 8);
            forged[bit / 8] ^= (byte)(1 << (bit % 8));

            await Assert.ThrowsAsync<SignalProtocolException>(() => parley.DecryptAsync(theirs, genuine with { Body = forged }));
            Assert.Null(await parley.Store.LoadSessionAsync(ParleyDevice.AddressOf(theirs)));
            Assert.NotNull(await parley.Store.LoadPreKeyAsync(bundle.PreKeyId!.Value));
            Assert.NotNull(await parley.Store.LoadKyberPreKeyAsync(bundle.KyberPreKeyId));
        }

        Assert.Equal("the real first message", Encoding.UTF8.GetString(await parley.DecryptAsync(theirs, genuine)));
        Assert.Null(await parley.Store.LoadPreKeyAsync(bundle.PreKeyId!.Value));
    }

    [Fact]
    public async Task A_corrupted_message_from_libsignal_leaves_Parleys_session_record_byte_for_byte_unchanged()
    {
        var (parley, theirs) = await PairAsync("session");
        await parley.ProcessBundleAsync(theirs, await theirs.NewBundleAsync(true));
        await theirs.DecryptAsync(parley, await parley.EncryptAsync(theirs, [1]));
        await parley.DecryptAsync(theirs, await theirs.EncryptAsync(parley, [2]));

        var random = new Random(7002);
        for (var i = 0; i < 20; i++)
        {
            // Every other message starts a new chain on the libsignal side (a reply in between).
            if (i % 2 == 0) await theirs.DecryptAsync(parley, await parley.EncryptAsync(theirs, [3]));
            var genuine = await theirs.EncryptAsync(parley, Encoding.UTF8.GetBytes($"message {i}"));
            var forged = (byte[])genuine.Body.Clone();
            var bit = random.Next(8, forged.Length * 8);
            forged[bit / 8] ^= (byte)(1 << (bit % 8));
            var before = (await parley.Store.LoadSessionAsync(ParleyDevice.AddressOf(theirs)))!.Serialize();

            await Assert.ThrowsAsync<SignalProtocolException>(() => parley.DecryptAsync(theirs, genuine with { Body = forged }));

            var after = (await parley.Store.LoadSessionAsync(ParleyDevice.AddressOf(theirs)))!.Serialize();
            Assert.Equal(Convert.ToHexString(before), Convert.ToHexString(after));
            Assert.Equal($"message {i}", Encoding.UTF8.GetString(await parley.DecryptAsync(theirs, genuine)));
        }
    }

    private async Task<(ParleyDevice Parley, LibsignalDevice Libsignal)> PairAsync(string test)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        return (new ParleyDevice($"failed-{test}-parley-{id}"), await LibsignalDevice.CreateAsync(libsignal, $"failed-{test}-libsignal-{id}"));
    }
}
