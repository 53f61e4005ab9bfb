namespace Parley.Crypto.Curve;

/// <summary>Scalar multiplication on edwards25519 with 4-bit fixed windows.</summary>
internal static class EdwardsScalarMult
{
    // y = 4/5 with x even: the standard base point's encoding.
    private static readonly byte[] BaseEncoding = Convert.FromHexString("5866666666666666666666666666666666666666666666666666666666666666");

    private static readonly EdwardsPoint BasePoint = EdwardsPoint.Decompress(BaseEncoding, requireCanonical: true)!;

    private static readonly EdwardsPoint[] BaseTable = BuildTable(BasePoint);

    // CombTable[i][j − 1] = j·16^i·B for j = 1..8: 512 points (~80 KB), built on first signature.
    private static readonly Lazy<EdwardsPoint[][]> CombTable = new(BuildCombTable);

    /// <summary>
    /// k·B for a secret scalar below 2^255 (anything reduced mod L), in constant time. The scalar
    /// is recoded into 64 signed digits e_i ∈ [−8, 8) and k·B = Σ e_i·16^i·B is summed from a
    /// precomputed table of j·16^i·B: 64 additions and no doublings. Every lookup scans all eight
    /// entries and negates by mask, so timing does not depend on the digits.
    /// </summary>
    public static EdwardsPoint MulBase(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != 32 || scalar[31] > 0x7f)
        {
            throw new ArgumentException("scalar must be 32 bytes below 2^255", nameof(scalar));
        }

        Span<sbyte> digits = stackalloc sbyte[64];
        for (var i = 0; i < 32; i++)
        {
            digits[2 * i] = (sbyte)(scalar[i] & 0x0f);
            digits[(2 * i) + 1] = (sbyte)(scalar[i] >> 4);
        }

        var carry = 0;
        for (var i = 0; i < 63; i++)
        {
            var d = digits[i] + carry;
            carry = (d + 8) >> 4;
            digits[i] = (sbyte)(d - (carry << 4));
        }

        digits[63] = (sbyte)(digits[63] + carry);

        var result = EdwardsPoint.Identity();
        var chosen = EdwardsPoint.Identity();
        var identity = EdwardsPoint.Identity();
        var negated = new EdwardsPoint();
        for (var i = 0; i < 64; i++)
        {
            int digit = digits[i];
            var negativeMask = digit >> 31;                        // −1 when digit < 0
            var magnitude = (digit ^ negativeMask) - negativeMask; // |digit|
            chosen.ConditionalAssign(identity, -1);
            var row = CombTable.Value[i];
            for (var j = 1; j <= 8; j++)
            {
                chosen.ConditionalAssign(row[j - 1], ((j ^ magnitude) - 1) >> 31);
            }

            chosen.NegateInto(negated);
            chosen.ConditionalAssign(negated, negativeMask);
            EdwardsPoint.Add(result, chosen, result);
        }

        return result;
    }

    /// <summary>a·P + b·B in variable time; only for verification, where all inputs are public.</summary>
    public static EdwardsPoint DoubleMulBaseVartime(ReadOnlySpan<byte> a, EdwardsPoint p, ReadOnlySpan<byte> b)
    {
        var table = BuildTable(p);
        var result = EdwardsPoint.Identity();
        for (var i = 63; i >= 0; i--)
        {
            for (var d = 0; d < 4; d++)
            {
                EdwardsPoint.Double(result, result);
            }

            var na = Nibble(a, i);
            if (na != 0)
            {
                EdwardsPoint.Add(result, table[na], result);
            }

            var nb = Nibble(b, i);
            if (nb != 0)
            {
                EdwardsPoint.Add(result, BaseTable[nb], result);
            }
        }

        return result;
    }

    private static int Nibble(ReadOnlySpan<byte> scalar, int index) => (scalar[index >> 1] >> ((index & 1) * 4)) & 0x0f;

    private static EdwardsPoint[][] BuildCombTable()
    {
        var rows = new EdwardsPoint[64][];
        var power = BasePoint.Clone(); // 16^i·B
        for (var i = 0; i < 64; i++)
        {
            rows[i] = new EdwardsPoint[8];
            rows[i][0] = power.Clone();
            for (var j = 1; j < 8; j++)
            {
                rows[i][j] = new EdwardsPoint();
                EdwardsPoint.Add(rows[i][j - 1], power, rows[i][j]);
            }

            for (var d = 0; d < 4; d++)
            {
                EdwardsPoint.Double(power, power);
            }
        }

        return rows;
    }

    private static EdwardsPoint[] BuildTable(EdwardsPoint p)
    {
        var table = new EdwardsPoint[16];
        table[0] = EdwardsPoint.Identity();
        table[1] = p.Clone();
        for (var i = 2; i < 16; i++)
        {
            table[i] = new EdwardsPoint();
            EdwardsPoint.Add(table[i - 1], p, table[i]);
        }

        return table;
    }
}
