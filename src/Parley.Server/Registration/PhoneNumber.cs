using System.Text.RegularExpressions;

namespace Parley.Server.Registration;

/// <summary>E.164 phone numbers: validation, and the masked form that is safe to log.</summary>
public static partial class PhoneNumber
{
    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();

    public static bool IsValid(string? number) => number is not null && E164().IsMatch(number);

    /// <summary>"+4915112345678" becomes "+49*********78": enough to correlate logs, not to identify.</summary>
    public static string Mask(string number) =>
        number.Length <= 5 ? "***" : number[..3] + new string('*', number.Length - 5) + number[^2..];
}
