using Parley.Crypto.Kem;
using Parley.Crypto.Keys;

namespace Parley.Crypto.Tests.Keys;

public class KeySerializationTests
{
    [Fact]
    public void ECPublicKey_Serialize_Is0x05FollowedBy32Bytes_AndRoundTrips()
    {
        var pair = ECKeyPair.Generate();
        var serialized = pair.PublicKey.Serialize();
        Assert.Equal(33, serialized.Length);
        Assert.Equal(0x05, serialized[0]);
        Assert.Equal(pair.PublicKey, ECPublicKey.Deserialize(serialized));
    }

    [Theory]
    [InlineData("")]
    [InlineData("06")]
    [InlineData("050102")]
    public void ECPublicKey_Deserialize_WhenTypeOrLengthIsWrong_ThrowsInvalidKey(string hex)
    {
        var e = Assert.Throws<SignalProtocolException>(() => ECPublicKey.Deserialize(Convert.FromHexString(hex)));
        Assert.Equal(SignalError.InvalidKey, e.Error);
    }

    [Fact]
    public void ECPrivateKey_Agreement_IsSymmetric()
    {
        var a = ECKeyPair.Generate();
        var b = ECKeyPair.Generate();
        Assert.Equal(a.PrivateKey.CalculateAgreement(b.PublicKey), b.PrivateKey.CalculateAgreement(a.PublicKey));
    }

    [Fact]
    public void ECPrivateKey_Agreement_MatchesLibsignalKnownAnswer()
    {
        // libsignal rust/core curve25519 test_agreement.
        var alicePrivate = ECPrivateKey.Deserialize(Convert.FromHexString("c806439dc9d2c476ffed8f2580c0888d58ab406bf7ae3698879021b96bb4bf59"));
        var bobPublic = ECPublicKey.FromPublicKeyBytes(Convert.FromHexString("653614993d2b15ee9e5fd3d86ce719ef4ec1daae1886a87b3f5fa9565a27a22f"));
        Assert.Equal("1bb75966f2e93a3691dfff942bb2a466a1c08b8d78ca3f4d6df8b8bfa2e4ee28", Convert.ToHexString(alicePrivate.GetPublicKey().PublicKeyBytes).ToLowerInvariant());
        Assert.Equal("325f239328941ced6e673b86ba41017448e99b649a9c3806c1dd7ca4c477e629", Convert.ToHexString(alicePrivate.CalculateAgreement(bobPublic)).ToLowerInvariant());
    }

    [Fact]
    public void IdentityKeyPair_SerializeThenDeserialize_SignsVerifiably()
    {
        var pair = IdentityKeyPair.Deserialize(IdentityKeyPair.Generate().Serialize());
        var signature = pair.PrivateKey.CalculateSignature("hello"u8);
        Assert.True(pair.PublicKey.VerifySignature("hello"u8, signature));
    }

    [Fact]
    public void KyberKeys_Serialize_Use0x08Prefix_AndEncapsulationRoundTrips()
    {
        var pair = KyberKeyPair.Generate();
        var pk = pair.PublicKey.Serialize();
        Assert.Equal(1569, pk.Length);
        Assert.Equal(0x08, pk[0]);
        var (secret, ciphertext) = KyberPublicKey.Deserialize(pk).Encapsulate();
        Assert.Equal(1569, ciphertext.Length);
        Assert.Equal(0x08, ciphertext[0]);
        Assert.Equal(secret, KyberSecretKey.Deserialize(pair.SecretKey.Serialize()).Decapsulate(ciphertext));
    }

    [Fact]
    public void KyberPublicKey_Deserialize_WhenACoefficientIsNotReduced_ThrowsInvalidKey()
    {
        var pk = KyberKeyPair.Generate().PublicKey.Serialize();
        pk[1] = 0xff;
        pk[2] |= 0x0f; // first 12-bit coefficient = 4095 ≥ q
        var e = Assert.Throws<SignalProtocolException>(() => KyberPublicKey.Deserialize(pk));
        Assert.Equal(SignalError.InvalidKey, e.Error);
    }
}
