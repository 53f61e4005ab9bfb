using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using P = Parley.Crypto.Kem.KyberPolynomial;

namespace Parley.Crypto.Kem;

/// <summary>Which of the two KEMs built on the same K-PKE core to run.</summary>
internal enum KyberVariant
{
    /// <summary>FIPS 203 ML-KEM-1024: only here to prove the shared core against Wycheproof.</summary>
    MlKem,

    /// <summary>
    /// Round-3 CRYSTALS-Kyber1024 as libsignal's <c>Kyber1024</c> key type uses it (libcrux's
    /// "kyber" variant): key generation hashes the seed without ML-KEM's domain byte, encapsulation
    /// hashes the random m first, and both sides finish with K = SHAKE256(K̄ ‖ SHA3-256(c)).
    /// </summary>
    KyberRound3,
}

/// <summary>The k = 4 parameter set (Kyber1024 / ML-KEM-1024) of FIPS 203 and round-3 Kyber.</summary>
internal static class KyberEngine
{
    public const int K = 4;
    public const int PublicKeyLength = (384 * K) + 32;            // 1568
    public const int SecretKeyLength = (768 * K) + 96;            // 3168
    public const int CiphertextLength = 32 * ((11 * K) + 5);      // 1568
    public const int SharedSecretLength = 32;
    private const int Du = 11;
    private const int Dv = 5;

    /// <summary>Deterministic key generation from d ‖ z (64 bytes).</summary>
    public static (byte[] PublicKey, byte[] SecretKey) GenerateKeyPair(KyberVariant variant, ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 64)
        {
            throw new SignalProtocolException(SignalError.InvalidArgument, "Kyber key generation needs a 64-byte seed");
        }

        // ML-KEM appends k to d before G (FIPS 203 Alg. 13); round-3 Kyber hashes d alone.
        var gInput = variant == KyberVariant.MlKem ? [.. seed[..32], (byte)K] : seed[..32].ToArray();
        var g = Sha3(512, gInput);
        var rho = g.AsSpan(0, 32);
        var sigma = g.AsSpan(32, 32);

        var s = new int[K][];
        var e = new int[K][];
        byte nonce = 0;
        for (var i = 0; i < K; i++)
        {
            s[i] = P.SampleCbd2(Prf(sigma, nonce++));
            P.Ntt(s[i]);
        }

        for (var i = 0; i < K; i++)
        {
            e[i] = P.SampleCbd2(Prf(sigma, nonce++));
            P.Ntt(e[i]);
        }

        var publicKey = new byte[PublicKeyLength];
        for (var i = 0; i < K; i++)
        {
            var t = new int[P.N];
            for (var j = 0; j < K; j++)
            {
                P.MultiplyAccumulate(P.SampleNtt(rho, (byte)j, (byte)i), s[j], t);
            }

            P.Add(t, e[i]);
            P.Encode(t, 12, publicKey.AsSpan(384 * i));
        }

        rho.CopyTo(publicKey.AsSpan(384 * K));

        var secretKey = new byte[SecretKeyLength];
        for (var i = 0; i < K; i++)
        {
            P.Encode(s[i], 12, secretKey.AsSpan(384 * i));
        }

        publicKey.CopyTo(secretKey, 384 * K);
        Sha3(256, publicKey).CopyTo(secretKey, (768 * K) + 32);
        seed[32..].CopyTo(secretKey.AsSpan((768 * K) + 64));
        return (publicKey, secretKey);
    }

    /// <summary>FIPS 203's modulus check: every encoded coefficient of t̂ is below q.</summary>
    public static bool IsValidPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeyLength)
        {
            return false;
        }

        for (var i = 0; i < K; i++)
        {
            foreach (var c in P.Decode(publicKey.Slice(384 * i, 384), 12))
            {
                if (c >= P.Q)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Encapsulates with caller-chosen randomness m (32 bytes); returns (shared secret, ciphertext).</summary>
    public static (byte[] SharedSecret, byte[] Ciphertext) Encapsulate(KyberVariant variant, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> randomness)
    {
        if (!IsValidPublicKey(publicKey) || randomness.Length != 32)
        {
            throw new SignalProtocolException(SignalError.InvalidKey, "invalid Kyber1024 public key");
        }

        var m = variant == KyberVariant.KyberRound3 ? Sha3(256, randomness) : randomness.ToArray();
        var kr = Sha3(512, [.. m, .. Sha3(256, publicKey)]);
        var ciphertext = Encrypt(publicKey, m, kr.AsSpan(32, 32));
        var shared = Finish(variant, kr.AsSpan(0, 32), ciphertext);
        return (shared, ciphertext);
    }

    /// <summary>Decapsulates; a forged ciphertext yields a pseudorandom secret (implicit rejection), never an error.</summary>
    public static byte[] Decapsulate(KyberVariant variant, ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> ciphertext)
    {
        if (secretKey.Length != SecretKeyLength)
        {
            throw new SignalProtocolException(SignalError.InvalidKey, "invalid Kyber1024 secret key");
        }

        if (ciphertext.Length != CiphertextLength)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "invalid Kyber1024 ciphertext length");
        }

        var publicKey = secretKey.Slice(384 * K, PublicKeyLength);
        var h = secretKey.Slice((768 * K) + 32, 32);
        var z = secretKey.Slice((768 * K) + 64, 32);

        var m = Decrypt(secretKey[..(384 * K)], ciphertext);
        var kr = Sha3(512, [.. m, .. h]);
        var expected = Encrypt(publicKey, m, kr.AsSpan(32, 32));

        var rejection = Shake256([.. z, .. ciphertext], 32);
        var accepted = Finish(variant, kr.AsSpan(0, 32), ciphertext);
        var rejected = Finish(variant, rejection, ciphertext);

        // Constant-time select: the comparison result must not leak through timing.
        var mask = (byte)(CryptographicOperations.FixedTimeEquals(expected, ciphertext) ? 0xff : 0x00);
        var result = new byte[32];
        for (var i = 0; i < 32; i++)
        {
            result[i] = (byte)((accepted[i] & mask) | (rejected[i] & ~mask));
        }

        return result;
    }

    private static byte[] Finish(KyberVariant variant, ReadOnlySpan<byte> preKey, ReadOnlySpan<byte> ciphertext) =>
        variant == KyberVariant.KyberRound3
            ? Shake256([.. preKey, .. Sha3(256, ciphertext)], 32)
            : preKey.ToArray();

    private static byte[] Encrypt(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> coins)
    {
        var rho = publicKey.Slice(384 * K, 32);
        var t = new int[K][];
        for (var i = 0; i < K; i++)
        {
            t[i] = P.Decode(publicKey.Slice(384 * i, 384), 12);
        }

        byte nonce = 0;
        var y = new int[K][];
        for (var i = 0; i < K; i++)
        {
            y[i] = P.SampleCbd2(Prf(coins, nonce++));
            P.Ntt(y[i]);
        }

        var ciphertext = new byte[CiphertextLength];
        for (var i = 0; i < K; i++)
        {
            var u = new int[P.N];
            for (var j = 0; j < K; j++)
            {
                // Row i of Âᵀ is column i of Â: SampleNtt(ρ, i, j).
                P.MultiplyAccumulate(P.SampleNtt(rho, (byte)i, (byte)j), y[j], u);
            }

            P.InverseNtt(u);
            P.Add(u, P.SampleCbd2(Prf(coins, nonce++)));
            CompressInPlace(u, Du);
            P.Encode(u, Du, ciphertext.AsSpan(32 * Du * i));
        }

        var e2 = P.SampleCbd2(Prf(coins, nonce));
        var v = new int[P.N];
        for (var j = 0; j < K; j++)
        {
            P.MultiplyAccumulate(t[j], y[j], v);
        }

        P.InverseNtt(v);
        P.Add(v, e2);
        var mu = P.Decode(message, 1);
        for (var i = 0; i < P.N; i++)
        {
            mu[i] = P.Decompress(mu[i], 1);
        }

        P.Add(v, mu);
        CompressInPlace(v, Dv);
        P.Encode(v, Dv, ciphertext.AsSpan(32 * Du * K));
        return ciphertext;
    }

    private static byte[] Decrypt(ReadOnlySpan<byte> secretPke, ReadOnlySpan<byte> ciphertext)
    {
        var w = new int[P.N];
        for (var i = 0; i < K; i++)
        {
            var u = P.Decode(ciphertext.Slice(32 * Du * i, 32 * Du), Du);
            for (var j = 0; j < P.N; j++)
            {
                u[j] = P.Decompress(u[j], Du);
            }

            P.Ntt(u);
            P.MultiplyAccumulate(P.Decode(secretPke.Slice(384 * i, 384), 12), u, w);
        }

        P.InverseNtt(w);
        var v = P.Decode(ciphertext.Slice(32 * Du * K, 32 * Dv), Dv);
        for (var j = 0; j < P.N; j++)
        {
            w[j] = P.Compress((P.Decompress(v[j], Dv) - w[j] + P.Q) % P.Q, 1);
        }

        var m = new byte[32];
        P.Encode(w, 1, m);
        return m;
    }

    private static void CompressInPlace(int[] f, int d)
    {
        for (var i = 0; i < P.N; i++)
        {
            f[i] = P.Compress(f[i], d);
        }
    }

    private static byte[] Prf(ReadOnlySpan<byte> seed, byte nonce) => Shake256([.. seed, nonce], 128);

    private static byte[] Sha3(int bits, ReadOnlySpan<byte> input)
    {
        var digest = new Sha3Digest(bits);
        digest.BlockUpdate(input);
        var output = new byte[bits / 8];
        digest.DoFinal(output);
        return output;
    }

    private static byte[] Shake256(ReadOnlySpan<byte> input, int length)
    {
        var xof = new ShakeDigest(256);
        xof.BlockUpdate(input);
        var output = new byte[length];
        xof.OutputFinal(output);
        return output;
    }
}
