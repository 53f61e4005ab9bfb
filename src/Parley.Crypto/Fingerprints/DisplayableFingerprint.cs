using System.Globalization;
using System.Text;

namespace Parley.Crypto.Fingerprints;

/// <summary>
/// The 60-digit safety number: 30 digits for each side, the smaller half first so both users
/// read the same string. Each half is six groups of five digits, each group a 40-bit big-endian
/// chunk of the fingerprint hash modulo 100000.
/// </summary>
public sealed class DisplayableFingerprint
{
    private readonly string _local;
    private readonly string _remote;

    internal DisplayableFingerprint(byte[] localFingerprint, byte[] remoteFingerprint)
    {
        _local = Encode(localFingerprint);
        _remote = Encode(remoteFingerprint);
    }

    /// <summary>The 60 digits, identical on both devices when neither side was tampered with.</summary>
    public string DisplayText => string.CompareOrdinal(_local, _remote) < 0 ? _local + _remote : _remote + _local;

    public override string ToString() => DisplayText;

    private static string Encode(byte[] fingerprint)
    {
        var text = new StringBuilder(30);
        for (var chunk = 0; chunk < 6; chunk++)
        {
            ulong value = 0;
            for (var i = 0; i < 5; i++)
            {
                value = (value << 8) | fingerprint[(chunk * 5) + i];
            }

            text.Append((value % 100_000).ToString("D5", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
