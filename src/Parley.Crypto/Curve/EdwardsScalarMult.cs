namespace Parley.Crypto.Curve;

/// <summary>Scalar multiplication on edwards25519 with 4-bit fixed windows.</summary>
internal static class EdwardsScalarMult
{
    // y = 4/5 with x even: the standard base point's encoding.
    private static readonly byte[] BaseEncoding = Convert.FromHexString("5866666666666666666666666666666666666666666666666666666666666666");

    private static readonly EdwardsPoint[] BaseTable = BuildTable(EdwardsPoint.Decompress(BaseEncoding, requireCanonical: true)!);

    /// <summary>k·B for a secret 32-byte little-endian scalar, in constant time (table scanned fully every window).</summary>
    public static EdwardsPoint MulBase(ReadOnlySpan<byte> scalar)
    {
        var result = EdwardsPoint.Identity();
        var chosen = EdwardsPoint.Identity();
        for (var i = 63; i >= 0; i--)
        {
            for (var d = 0; d < 4; d++)
            {
                EdwardsPoint.Double(result, result);
            }

            var nibble = Nibble(scalar, i);
            for (var j = 0; j < 16; j++)
            {
                // mask = -1 exactly when j == nibble, computed without a branch.
                var mask = ((j ^ nibble) - 1) >> 31;
                chosen.ConditionalAssign(BaseTable[j], mask);
            }

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
