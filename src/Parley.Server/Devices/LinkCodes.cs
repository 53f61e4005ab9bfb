using System.Security.Cryptography;
using System.Text;

namespace Parley.Server.Devices;

/// <summary>
/// Link codes: 10 characters of Crockford base32 (50 random bits), shown as "XXXXX-XXXXX". Typed by
/// people, so the alphabet has no I, L, O or U, and parsing forgives case, spaces and dashes. Only a
/// SHA-256 of the normalized code is stored: a database dump does not let anyone link a device.
/// </summary>
public static class LinkCodes
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int Length = 10;

    public static string NewCode()
    {
        Span<char> code = stackalloc char[Length];
        for (var i = 0; i < Length; i++)
        {
            code[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }
        return $"{code[..5]}-{code[5..]}";
    }

    /// <summary>The stored hash of a typed code, or null when it cannot be a code at all.</summary>
    public static byte[]? Hash(string? typed)
    {
        if (typed is null)
        {
            return null;
        }
        var normalized = new StringBuilder(Length);
        foreach (var c in typed.ToUpperInvariant())
        {
            if (c is '-' or ' ')
            {
                continue;
            }
            // Crockford's decoding of look-alikes.
            var mapped = c switch { 'O' => '0', 'I' or 'L' => '1', _ => c };
            if (!Alphabet.Contains(mapped, StringComparison.Ordinal))
            {
                return null;
            }
            normalized.Append(mapped);
        }
        return normalized.Length == Length ? SHA256.HashData(Encoding.ASCII.GetBytes(normalized.ToString())) : null;
    }
}
