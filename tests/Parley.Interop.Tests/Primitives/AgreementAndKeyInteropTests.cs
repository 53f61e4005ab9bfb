using Parley.Crypto.Kem;
using Parley.Crypto.Keys;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Primitives;

/// <summary>Curve25519 and Kyber1024 keys mean the same thing to Parley and to libsignal.</summary>
[Collection(LibsignalCollection.Name)]
public sealed class AgreementAndKeyInteropTests(LibsignalHarness libsignal)
{
    [Fact]
    public async Task X25519_agreement_between_a_Parley_key_and_a_libsignal_key_is_equal_on_both_sides()
    {
        for (var i = 0; i < 100; i++)
        {
            var parley = ECKeyPair.Generate();
            var (theirPublic, theirPrivate) = await libsignal.GenerateKeyPairAsync();

            var ours = parley.PrivateKey.CalculateAgreement(ECPublicKey.Deserialize(theirPublic));
            var theirs = await libsignal.AgreeAsync(theirPrivate, parley.PublicKey.Serialize());

            Assert.Equal(Convert.ToHexString(theirs), Convert.ToHexString(ours));
        }
    }

    [Fact]
    public async Task A_private_key_yields_the_same_public_key_in_Parley_and_libsignal()
    {
        for (var i = 0; i < 50; i++)
        {
            var (theirPublic, theirPrivate) = await libsignal.GenerateKeyPairAsync();
            Assert.Equal(Convert.ToHexString(theirPublic), Convert.ToHexString(ECPrivateKey.Deserialize(theirPrivate).GetPublicKey().Serialize()));

            var ours = ECKeyPair.Generate();
            Assert.Equal(Convert.ToHexString(ours.PublicKey.Serialize()), Convert.ToHexString(await libsignal.PublicKeyOfAsync(ours.PrivateKey.Serialize())));
        }
    }

    [Fact]
    public async Task Unclamped_private_key_bytes_give_the_same_public_key_and_agreement_in_Parley_and_libsignal()
    {
        var random = new Random(2001);
        var (peerPublic, _) = await libsignal.GenerateKeyPairAsync();
        for (var i = 0; i < 30; i++)
        {
            var raw = new byte[32];
            random.NextBytes(raw);
            raw[0] |= 7;      // bits that clamping clears
            raw[31] |= 0x80;  // and the top bit it clears

            var ours = ECPrivateKey.Deserialize(raw);
            Assert.Equal(Convert.ToHexString(await libsignal.PublicKeyOfAsync(raw)), Convert.ToHexString(ours.GetPublicKey().Serialize()));
            Assert.Equal(
                Convert.ToHexString(await libsignal.AgreeAsync(raw, peerPublic)),
                Convert.ToHexString(ours.CalculateAgreement(ECPublicKey.Deserialize(peerPublic))));
        }
    }

    [Fact]
    public async Task A_Kyber1024_public_key_made_by_Parley_is_read_by_libsignal_as_the_same_key()
    {
        for (var i = 0; i < 5; i++)
        {
            var pair = KyberKeyPair.Generate();
            var serialized = pair.PublicKey.Serialize();

            Assert.Equal(KyberPublicKey.SerializedLength, serialized.Length);
            Assert.Equal(Convert.ToHexString(serialized), Convert.ToHexString(await libsignal.KyberParsePublicAsync(serialized)));
        }
    }

    [Fact]
    public async Task A_Kyber1024_key_pair_made_by_libsignal_encapsulates_and_decapsulates_in_Parley()
    {
        for (var i = 0; i < 5; i++)
        {
            var (publicKey, secretKey) = await libsignal.KyberGenerateAsync();

            var theirPublic = KyberPublicKey.Deserialize(publicKey);
            var theirSecret = KyberSecretKey.Deserialize(secretKey);
            var (sharedSecret, ciphertext) = theirPublic.Encapsulate();

            Assert.Equal(Convert.ToHexString(publicKey), Convert.ToHexString(theirPublic.Serialize()));
            Assert.Equal(Convert.ToHexString(secretKey), Convert.ToHexString(theirSecret.Serialize()));
            Assert.Equal(Convert.ToHexString(sharedSecret), Convert.ToHexString(theirSecret.Decapsulate(ciphertext)));
        }
    }
}
