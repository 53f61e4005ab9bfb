using System.Security.Cryptography;

namespace Parley.Client.Devices;

/// <summary>
/// What the primary shows to link a new device: a typed code, or the QR payload
/// <c>parley://link?server=...&amp;code=...&amp;identity=...</c> that also carries the server and the
/// primary's identity key (so the new device can verify the account's signed device list without
/// trusting the server for it).
/// </summary>
public sealed record LinkPayload(string Code, Uri? Server, byte[]? PrimaryIdentityKey)
{
    /// <summary>Reads a typed code ("K7MZQ-4HX2D") or a parley://link URI.</summary>
    /// <exception cref="FormatException">Neither a code nor a link URI.</exception>
    public static LinkPayload Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (!text.StartsWith("parley://link", StringComparison.OrdinalIgnoreCase))
        {
            return text.Length > 0 ? new LinkPayload(text, null, null) : throw new FormatException("The link code is empty.");
        }
        var query = new Uri(text).Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""), StringComparer.OrdinalIgnoreCase);
        if (!query.TryGetValue("code", out var code) || code.Length == 0)
        {
            throw new FormatException("The link URI has no code.");
        }
        Uri? server = query.TryGetValue("server", out var s) && Uri.TryCreate(s.EndsWith('/') ? s : s + "/", UriKind.Absolute, out var parsed) ? parsed : null;
        byte[]? identity = null;
        if (query.TryGetValue("identity", out var key) && key.Length > 0)
        {
            var base64 = key.Replace('-', '+').Replace('_', '/');
            identity = Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
        }
        return new LinkPayload(code, server, identity);
    }
}

/// <summary>
/// A short fingerprint of a device's identity key that the primary shows when asked to approve a
/// new device and the new device shows of itself: equal on both screens means no one swapped keys.
/// </summary>
public static class DeviceFingerprint
{
    /// <summary>First 80 bits of SHA-256 of the serialized key as 4 groups of 5 hex digits, e.g. "3F2A1 9C0DE 77B12 04AF9".</summary>
    public static string Of(byte[] identityKey)
    {
        var hex = Convert.ToHexString(SHA256.HashData(identityKey))[..20];
        return string.Join(' ', Enumerable.Range(0, 4).Select(i => hex.Substring(i * 5, 5)));
    }
}
