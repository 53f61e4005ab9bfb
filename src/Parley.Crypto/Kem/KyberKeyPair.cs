using System.Security.Cryptography;

namespace Parley.Crypto.Kem;

/// <summary>A Kyber1024 key pair for PQXDH's last-resort and one-time KEM prekeys.</summary>
public sealed class KyberKeyPair(KyberPublicKey publicKey, KyberSecretKey secretKey)
{
    public KyberPublicKey PublicKey { get; } = publicKey;

    public KyberSecretKey SecretKey { get; } = secretKey;

    public static KyberKeyPair Generate()
    {
        var (pk, sk) = KyberEngine.GenerateKeyPair(KyberVariant.KyberRound3, RandomNumberGenerator.GetBytes(64));
        return new KyberKeyPair(new KyberPublicKey(pk), new KyberSecretKey(sk));
    }
}
