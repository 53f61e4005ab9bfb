namespace Parley.Crypto.Kem;

/// <summary>
/// Arithmetic in R_q = Z_q[X]/(X^256 + 1), q = 3329: NTT, sampling and (de)compression, following
/// FIPS 203 §4 (identical to the round-3 Kyber specification for these parts). Coefficients are
/// kept fully reduced in [0, q) as plain ints; simple and fast enough for a handful of KEM calls.
/// </summary>
internal static class KyberPolynomial
{
    public const int N = 256;
    public const int Q = 3329;

    // zeta = 17 is a primitive 256th root of unity mod q; the tables are in bit-reversed order.
    private static readonly int[] Zetas = BuildZetas();
    private static readonly int[] Gammas = BuildGammas();

    public static void Ntt(int[] f)
    {
        var k = 1;
        for (var len = 128; len >= 2; len >>= 1)
        {
            for (var start = 0; start < N; start += 2 * len)
            {
                var zeta = Zetas[k++];
                for (var j = start; j < start + len; j++)
                {
                    var t = zeta * f[j + len] % Q;
                    f[j + len] = (f[j] - t + Q) % Q;
                    f[j] = (f[j] + t) % Q;
                }
            }
        }
    }

    public static void InverseNtt(int[] f)
    {
        var k = 127;
        for (var len = 2; len <= 128; len <<= 1)
        {
            for (var start = 0; start < N; start += 2 * len)
            {
                var zeta = Zetas[k--];
                for (var j = start; j < start + len; j++)
                {
                    var t = f[j];
                    f[j] = (t + f[j + len]) % Q;
                    f[j + len] = zeta * (f[j + len] - t + Q) % Q;
                }
            }
        }

        for (var j = 0; j < N; j++)
        {
            f[j] = f[j] * 3303 % Q; // 3303 = 128^-1 mod q
        }
    }

    /// <summary>acc += a ∘ b in the NTT domain (pairs of degree-one products modulo X^2 − γ).</summary>
    public static void MultiplyAccumulate(int[] a, int[] b, int[] acc)
    {
        for (var i = 0; i < 128; i++)
        {
            int a0 = a[2 * i], a1 = a[(2 * i) + 1], b0 = b[2 * i], b1 = b[(2 * i) + 1];
            var c0 = ((a0 * b0) + (a1 * b1 % Q * Gammas[i])) % Q;
            var c1 = ((a0 * b1) + (a1 * b0)) % Q;
            acc[2 * i] = (acc[2 * i] + c0) % Q;
            acc[(2 * i) + 1] = (acc[(2 * i) + 1] + c1) % Q;
        }
    }

    public static void Add(int[] a, int[] b)
    {
        for (var i = 0; i < N; i++)
        {
            a[i] = (a[i] + b[i]) % Q;
        }
    }

    /// <summary>Rejection-samples a uniform NTT-domain polynomial from SHAKE128(ρ ‖ j ‖ i) (FIPS 203 Alg. 7).</summary>
    public static int[] SampleNtt(ReadOnlySpan<byte> rho, byte j, byte i)
    {
        var xof = new Org.BouncyCastle.Crypto.Digests.ShakeDigest(128);
        xof.BlockUpdate(rho);
        xof.Update(j);
        xof.Update(i);
        var block = new byte[168];
        var result = new int[N];
        var count = 0;
        while (count < N)
        {
            xof.Output(block, 0, block.Length);
            for (var p = 0; p + 2 < block.Length && count < N; p += 3)
            {
                var d1 = block[p] | ((block[p + 1] & 0x0f) << 8);
                var d2 = (block[p + 1] >> 4) | (block[p + 2] << 4);
                if (d1 < Q)
                {
                    result[count++] = d1;
                }

                if (d2 < Q && count < N)
                {
                    result[count++] = d2;
                }
            }
        }

        return result;
    }

    /// <summary>Centered binomial distribution with η = 2 from 128 PRF bytes (FIPS 203 Alg. 8).</summary>
    public static int[] SampleCbd2(ReadOnlySpan<byte> bytes)
    {
        var result = new int[N];
        for (var i = 0; i < N; i++)
        {
            // Four bits per coefficient: two for x, two for y.
            var bits = (bytes[i >> 1] >> ((i & 1) * 4)) & 0x0f;
            var x = (bits & 1) + ((bits >> 1) & 1);
            var y = ((bits >> 2) & 1) + ((bits >> 3) & 1);
            result[i] = (x - y + Q) % Q;
        }

        return result;
    }

    public static int Compress(int x, int d) => (int)((((uint)x << d) + (Q / 2)) / Q) & ((1 << d) - 1);

    public static int Decompress(int y, int d) => ((y * Q) + (1 << (d - 1))) >> d;

    /// <summary>ByteEncode_d: packs 256 d-bit values little-endian bit order.</summary>
    public static void Encode(int[] f, int d, Span<byte> output)
    {
        output[..(32 * d)].Clear();
        var bit = 0;
        for (var i = 0; i < N; i++)
        {
            for (var b = 0; b < d; b++, bit++)
            {
                output[bit >> 3] |= (byte)(((f[i] >> b) & 1) << (bit & 7));
            }
        }
    }

    /// <summary>ByteDecode_d. For d = 12 values are not reduced here; callers check them against q.</summary>
    public static int[] Decode(ReadOnlySpan<byte> input, int d)
    {
        var f = new int[N];
        var bit = 0;
        for (var i = 0; i < N; i++)
        {
            var value = 0;
            for (var b = 0; b < d; b++, bit++)
            {
                value |= ((input[bit >> 3] >> (bit & 7)) & 1) << b;
            }

            f[i] = value;
        }

        return f;
    }

    private static int[] BuildZetas()
    {
        var zetas = new int[128];
        for (var i = 0; i < 128; i++)
        {
            zetas[i] = Power(17, BitReverse7(i));
        }

        return zetas;
    }

    private static int[] BuildGammas()
    {
        var gammas = new int[128];
        for (var i = 0; i < 128; i++)
        {
            gammas[i] = Power(17, (2 * BitReverse7(i)) + 1);
        }

        return gammas;
    }

    private static int Power(int b, int e)
    {
        var result = 1;
        for (var i = 0; i < e; i++)
        {
            result = result * b % Q;
        }

        return result;
    }

    private static int BitReverse7(int x)
    {
        var r = 0;
        for (var i = 0; i < 7; i++)
        {
            r |= ((x >> i) & 1) << (6 - i);
        }

        return r;
    }
}
