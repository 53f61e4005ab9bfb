using F = Org.BouncyCastle.Math.EC.Rfc7748.X25519Field;

namespace Parley.Crypto.Curve;

/// <summary>
/// A point of edwards25519 in extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z, over
/// BouncyCastle's public 10-limb field arithmetic. BouncyCastle's Ed25519 cannot sign with a raw
/// scalar, which XEdDSA needs, so the group law lives here (Hisil–Wong–Carter–Dawson, a = -1).
/// </summary>
internal sealed class EdwardsPoint
{
    private static readonly int[] D = ComputeD();
    private static readonly int[] D2 = Doubled(D);

    // Per-thread temporaries: the group law runs thousands of times per scalar multiplication and
    // allocating its temporaries each time dominated the cost (and GC pressure in the browser).
    [ThreadStatic]
    private static int[][]? t_scratch;

    private static int[][] Scratch => t_scratch ??= [F.Create(), F.Create(), F.Create(), F.Create(), F.Create(), F.Create(), F.Create(), F.Create()];

    public readonly int[] X = F.Create();
    public readonly int[] Y = F.Create();
    public readonly int[] Z = F.Create();
    public readonly int[] T = F.Create();

    public static EdwardsPoint Identity()
    {
        var p = new EdwardsPoint();
        F.One(p.Y);
        F.One(p.Z);
        return p;
    }

    public EdwardsPoint Clone()
    {
        var p = new EdwardsPoint();
        F.Copy(X, 0, p.X, 0);
        F.Copy(Y, 0, p.Y, 0);
        F.Copy(Z, 0, p.Z, 0);
        F.Copy(T, 0, p.T, 0);
        return p;
    }

    /// <summary>Decodes a compressed point; returns null when y is not on the curve or x = 0 carries sign 1.</summary>
    /// <param name="requireCanonical">Reject encodings of y that are not reduced mod p (RFC 8032 strict decoding).</param>
    public static EdwardsPoint? Decompress(ReadOnlySpan<byte> encoded, bool requireCanonical)
    {
        if (encoded.Length != 32)
        {
            return null;
        }

        if (requireCanonical && !FieldEncoding.IsCanonical(encoded))
        {
            return null;
        }

        var sign = encoded[31] >> 7;
        var p = new EdwardsPoint();
        F.Decode255(encoded.ToArray(), 0, p.Y, 0);
        F.One(p.Z);

        // x^2 = (y^2 - 1) / (d y^2 + 1)
        var y2 = F.Create();
        var u = F.Create();
        var v = F.Create();
        F.Sqr(p.Y, y2);
        F.Mul(D, y2, v);
        F.AddOne(v);
        F.Carry(v);
        F.Copy(y2, 0, u, 0);
        F.SubOne(u);
        F.Carry(u);
        if (!F.SqrtRatioVar(u, v, p.X))
        {
            return null;
        }

        F.Normalize(p.X);
        var isZero = F.IsZeroVar(p.X);
        if (isZero && sign == 1)
        {
            return null;
        }

        if (FieldEncoding.IsNegative(p.X) != (sign == 1))
        {
            F.Negate(p.X, p.X);
            F.Normalize(p.X);
        }

        F.Mul(p.X, p.Y, p.T);
        return p;
    }

    public byte[] Compress()
    {
        var zInv = F.Create();
        var x = F.Create();
        var y = F.Create();
        F.Inv(Z, zInv);
        F.Mul(X, zInv, x);
        F.Mul(Y, zInv, y);
        F.Normalize(x);
        F.Normalize(y);
        var result = new byte[32];
        F.Encode(y, result, 0);
        if (FieldEncoding.IsNegative(x))
        {
            result[31] |= 0x80;
        }

        return result;
    }

    /// <summary>Writes −this into <paramref name="target"/> (negating x and t) without allocating.</summary>
    public void NegateInto(EdwardsPoint target)
    {
        F.Negate(X, target.X);
        F.Copy(Y, 0, target.Y, 0);
        F.Copy(Z, 0, target.Z, 0);
        F.Negate(T, target.T);
    }

    public EdwardsPoint Negate()
    {
        var p = Clone();
        F.Negate(p.X, p.X);
        F.Negate(p.T, p.T);
        return p;
    }

    /// <summary>r = p + q (unified addition: also correct for p = q and the identity). r may alias p or q.</summary>
    public static void Add(EdwardsPoint p, EdwardsPoint q, EdwardsPoint r)
    {
        var s = Scratch;
        int[] a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
        F.Sub(p.Y, p.X, a);
        F.Sub(q.Y, q.X, e);
        F.Mul(a, e, a);
        F.Add(p.Y, p.X, b);
        F.Add(q.Y, q.X, e);
        F.Mul(b, e, b);
        F.Mul(p.T, q.T, c);
        F.Mul(c, D2, c);
        F.Mul(p.Z, q.Z, d);
        F.Add(d, d, d);
        F.Sub(b, a, e);
        F.Sub(d, c, f);
        F.Add(d, c, g);
        F.Add(b, a, h);
        F.Carry(e);
        F.Carry(f);
        F.Carry(g);
        F.Carry(h);
        F.Mul(e, f, r.X);
        F.Mul(g, h, r.Y);
        F.Mul(e, h, r.T);
        F.Mul(f, g, r.Z);
    }

    /// <summary>r = 2p; r may alias p.</summary>
    public static void Double(EdwardsPoint p, EdwardsPoint r)
    {
        var s = Scratch;
        int[] a = s[0], b = s[1], c = s[2], e = s[3], f = s[4], g = s[5], h = s[6];
        F.Sqr(p.X, a);
        F.Sqr(p.Y, b);
        F.Sqr(p.Z, c);
        F.Add(c, c, c);
        F.Add(p.X, p.Y, e);
        F.Carry(e);
        F.Sqr(e, e);
        // With a = -1: E = (X+Y)^2 - A - B, G = B - A, F = G - C, H = -A - B.
        F.Sub(e, a, e);
        F.Sub(e, b, e);
        F.Sub(b, a, g);
        F.Sub(g, c, f);
        F.Add(a, b, h);
        F.Negate(h, h);
        F.Carry(e);
        F.Carry(f);
        F.Carry(g);
        F.Carry(h);
        F.Mul(e, f, r.X);
        F.Mul(g, h, r.Y);
        F.Mul(e, h, r.T);
        F.Mul(f, g, r.Z);
    }

    /// <summary>Sets this point to <paramref name="source"/> when mask is -1, leaves it when 0, without branching.</summary>
    public void ConditionalAssign(EdwardsPoint source, int mask)
    {
        Select(X, source.X, mask);
        Select(Y, source.Y, mask);
        Select(Z, source.Z, mask);
        Select(T, source.T, mask);
    }

    private static void Select(int[] target, int[] source, int mask)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] ^= (target[i] ^ source[i]) & mask;
        }
    }

    private static int[] ComputeD()
    {
        // d = -121665 / 121666
        var num = F.Create();
        var den = F.Create();
        num[0] = 121665;
        den[0] = 121666;
        F.Negate(num, num);
        F.Inv(den, den);
        var d = F.Create();
        F.Mul(num, den, d);
        F.Normalize(d);
        return d;
    }

    private static int[] Doubled(int[] x)
    {
        var r = F.Create();
        F.Add(x, x, r);
        F.Normalize(r);
        return r;
    }
}
