using System.Security.Cryptography;
using Parley.Crypto.Curve;

namespace Parley.Crypto.Tests.Primitives;

public class EdwardsScalarMultTests
{
    [Fact]
    public void MulBase_MatchesBouncyCastleEd25519PublicKeyDerivation()
    {
        // An Ed25519 public key is encode(s·B) with s = clamp(SHA-512(seed)[0..32]); BouncyCastle
        // computes it with its own (independent) group law.
        for (var i = 0; i < 20; i++)
        {
            var seed = RandomNumberGenerator.GetBytes(32);
            var s = SHA512.HashData(seed)[..32];
            X25519.Clamp(s);
            var expected = new byte[32];
            Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.GeneratePublicKey(seed, 0, expected, 0);
            Assert.Equal(expected, EdwardsScalarMult.MulBase(s).Compress());
        }
    }

    [Fact]
    public void MulBase_AgreesWithTheVariableTimeLadder_IncludingEdgeScalars()
    {
        var zero = new byte[32];
        var anyPoint = EdwardsScalarMult.MulBase(Scalar25519.Reduce(RandomNumberGenerator.GetBytes(32)));
        var scalars = new List<byte[]> { new byte[32], One(), Max255() };
        for (var i = 0; i < 10; i++)
        {
            scalars.Add(Scalar25519.Reduce(RandomNumberGenerator.GetBytes(64)));
        }

        foreach (var k in scalars)
        {
            Assert.Equal(EdwardsScalarMult.DoubleMulBaseVartime(zero, anyPoint, k).Compress(), EdwardsScalarMult.MulBase(k).Compress());
        }
    }

    private static byte[] One()
    {
        var one = new byte[32];
        one[0] = 1;
        return one;
    }

    private static byte[] Max255()
    {
        var max = new byte[32];
        Array.Fill(max, (byte)0xff);
        max[31] = 0x7f;
        return max;
    }
}
