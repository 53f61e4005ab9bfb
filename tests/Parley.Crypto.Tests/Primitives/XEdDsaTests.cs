using Parley.Crypto.Curve;

namespace Parley.Crypto.Tests.Primitives;

public class XEdDsaTests
{
    // libsignal's own known-answer vector (rust/core curve25519 test_signature): an identity key
    // signing a serialized ephemeral public key.
    private static readonly byte[] AlicePrivate = Convert.FromHexString("c097248412e58bf05df487968205132794178e367637f5818f81e0e6ce73e865");
    private static readonly byte[] AlicePublic = Convert.FromHexString("ab7e717d4a163b7d9a1d8071dfe9dcf8cdcd1cea3339b6356be84d887e322c64");
    private static readonly byte[] SignedMessage = Convert.FromHexString("05edce9d9c415ca78cb7252e72c2c4a554d3eb29485a0e1d503118d1a82d99fb4a");
    private static readonly byte[] LibsignalSignature = Convert.FromHexString(
        "5de88ca9a89b4a115da79109c67c9c7464a3e4180274f1cb8c63c2984e286dfbede82deb9dcd9fae0bfbb821569b3d9001bd8130cd11d486cef047bd60b86e88");

    [Fact]
    public void Verify_WhenSignatureComesFromLibsignal_Accepts()
    {
        Assert.Equal(AlicePublic, X25519.PublicFromPrivate(AlicePrivate));
        Assert.True(XEdDsa.Verify(AlicePublic, SignedMessage, LibsignalSignature));
    }

    [Fact]
    public void Verify_WhenAnySingleBitOfTheSignatureFlips_Rejects()
    {
        for (var i = 0; i < 64; i++)
        {
            var tampered = (byte[])LibsignalSignature.Clone();
            tampered[i] ^= 0x01;
            Assert.False(XEdDsa.Verify(AlicePublic, SignedMessage, tampered), $"byte {i}");
        }
    }

    [Fact]
    public void Sign_WithManyRandomKeys_VerifiesAndCarriesBothSignBits()
    {
        var signBits = new HashSet<int>();
        for (var i = 0; i < 40; i++)
        {
            var key = RandomKey();
            var message = System.Security.Cryptography.RandomNumberGenerator.GetBytes(i);
            var signature = XEdDsa.Sign(key, message, System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
            signBits.Add(signature[63] >> 7);
            Assert.True(XEdDsa.Verify(X25519.PublicFromPrivate(key), message, signature));
            message = [.. message, 0];
            Assert.False(XEdDsa.Verify(X25519.PublicFromPrivate(key), message, signature));
        }

        // About half of all keys have a "negative" Edwards form; both must round-trip.
        Assert.Equal(2, signBits.Count);
    }

    [Fact]
    public void Sign_ProducesSignaturesThatBouncyCastleEd25519AcceptsUnderTheConvertedKey()
    {
        // Differential check against an independent Ed25519 implementation: with the sign bit moved
        // from the signature into the Edwards public key, an XEdDSA signature is a plain Ed25519 one.
        for (var i = 0; i < 10; i++)
        {
            var key = RandomKey();
            var message = System.Security.Cryptography.RandomNumberGenerator.GetBytes(33);
            var signature = XEdDsa.Sign(key, message, System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
            var edwardsKey = EdwardsScalarMult.MulBase(Scalar25519.Reduce(key)).Compress();
            var plain = (byte[])signature.Clone();
            plain[63] &= 0x7f;
            Assert.Equal(signature[63] >> 7, edwardsKey[31] >> 7);
            Assert.True(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(plain, 0, edwardsKey, 0, message, 0, message.Length));
        }
    }

    private static byte[] RandomKey()
    {
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        X25519.Clamp(key);
        return key;
    }
}
