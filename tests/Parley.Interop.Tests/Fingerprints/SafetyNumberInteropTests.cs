using System.Text;
using Parley.Crypto;
using Parley.Crypto.Fingerprints;
using Parley.Crypto.Keys;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Fingerprints;

/// <summary>
/// Safety numbers: two users comparing their screens (or scanning each other's code), one on
/// Parley and one on a libsignal client, see the same 60 digits and accept each other's code.
/// </summary>
[Collection(LibsignalCollection.Name)]
public sealed class SafetyNumberInteropTests(LibsignalHarness libsignal)
{
    private const uint Version = 2;

    [Fact]
    public async Task Parley_and_libsignal_show_the_same_60_digits_for_the_same_identities_and_phone_numbers()
    {
        var random = new Random(5001);
        for (var i = 0; i < 25; i++)
        {
            var alice = KeyHelper.GenerateIdentityKeyPair().IdentityKey;
            var bob = IdentityKey.Deserialize((await libsignal.GenerateKeyPairAsync()).PublicKey);
            var aliceId = Encoding.UTF8.GetBytes($"+1415555{random.Next(10000):D4}");
            var bobId = Encoding.UTF8.GetBytes($"+4930{random.Next(1000000):D7}");

            var ours = Fingerprint.Create(Version, aliceId, alice, bobId, bob);
            var theirsForAlice = await libsignal.FingerprintAsync(aliceId, alice.Serialize(), bobId, bob.Serialize());
            var theirsForBob = await libsignal.FingerprintAsync(bobId, bob.Serialize(), aliceId, alice.Serialize());

            Assert.Equal(60, ours.Displayable.DisplayText.Length);
            Assert.Equal(theirsForAlice.Displayable, ours.Displayable.DisplayText);
            Assert.Equal(theirsForBob.Displayable, ours.Displayable.DisplayText);
            Assert.Equal(Convert.ToHexString(theirsForAlice.Scannable), Convert.ToHexString(ours.Scannable.Serialize()));
        }
    }

    [Fact]
    public async Task Each_side_accepts_the_code_the_other_side_shows_when_stable_ids_are_binary_account_ids()
    {
        var random = new Random(5002);
        for (var i = 0; i < 15; i++)
        {
            var alice = KeyHelper.GenerateIdentityKeyPair().IdentityKey;
            var bob = IdentityKey.Deserialize((await libsignal.CreatePartyAsync($"fp-bob-{Guid.NewGuid():N}")).IdentityKey);
            var aliceId = new byte[16];
            var bobId = new byte[16];
            random.NextBytes(aliceId);
            random.NextBytes(bobId);

            var onParley = Fingerprint.Create(Version, aliceId, alice, bobId, bob);
            var onLibsignal = await libsignal.FingerprintAsync(bobId, bob.Serialize(), aliceId, alice.Serialize());

            Assert.True(onParley.Scannable.Compare(onLibsignal.Scannable), "Parley rejected the code libsignal shows for the same pair");
            Assert.True(await libsignal.ScannableCompareAsync(onLibsignal.Scannable, onParley.Scannable.Serialize()),
                "libsignal rejected the code Parley shows for the same pair");
            Assert.Equal(onLibsignal.Displayable, onParley.Displayable.DisplayText);
        }
    }

    [Fact]
    public async Task After_an_identity_change_neither_the_digits_nor_the_code_match_any_more()
    {
        var alice = KeyHelper.GenerateIdentityKeyPair().IdentityKey;
        var bob = IdentityKey.Deserialize((await libsignal.GenerateKeyPairAsync()).PublicKey);
        var bobReinstalled = IdentityKey.Deserialize((await libsignal.GenerateKeyPairAsync()).PublicKey);
        var aliceId = Encoding.UTF8.GetBytes("+14155550100");
        var bobId = Encoding.UTF8.GetBytes("+14155550101");

        var onParley = Fingerprint.Create(Version, aliceId, alice, bobId, bob);
        var onLibsignal = await libsignal.FingerprintAsync(bobId, bobReinstalled.Serialize(), aliceId, alice.Serialize());

        Assert.NotEqual(onLibsignal.Displayable, onParley.Displayable.DisplayText);
        Assert.False(onParley.Scannable.Compare(onLibsignal.Scannable));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1024)]
    [InlineData(5200)]
    public async Task Safety_numbers_agree_for_any_iteration_count(int iterations)
    {
        var alice = KeyHelper.GenerateIdentityKeyPair().IdentityKey;
        var bob = KeyHelper.GenerateIdentityKeyPair().IdentityKey;
        var aliceId = Encoding.UTF8.GetBytes("+14155550123");
        var bobId = Encoding.UTF8.GetBytes("+14155550124");

        var ours = Fingerprint.Create(Version, iterations, aliceId, alice, bobId, bob);
        var theirs = await libsignal.FingerprintAsync(aliceId, alice.Serialize(), bobId, bob.Serialize(), iterations);

        Assert.Equal(theirs.Displayable, ours.Displayable.DisplayText);
        Assert.Equal(Convert.ToHexString(theirs.Scannable), Convert.ToHexString(ours.Scannable.Serialize()));
    }
}
