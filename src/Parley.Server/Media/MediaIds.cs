using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Parley.Server.Media;

/// <summary>The shapes of upload and media ids. Both become file names, so nothing else is ever accepted.</summary>
public static partial class MediaIds
{
    public static string NewUploadId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsUploadId(string? id) => id is not null && UploadId().IsMatch(id);

    public static bool IsMediaId(string? id) => id is not null && MediaId().IsMatch(id);

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex UploadId();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex MediaId();
}
