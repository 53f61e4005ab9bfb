using System.Globalization;

namespace Parley.Web.Components;

/// <summary>Times as a chat shows them, in the browser's time zone.</summary>
public static class Format
{
    public static DateTime Local(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToLocalTime().DateTime;

    public static string Time(long unixMs) => Local(unixMs).ToString("HH:mm", CultureInfo.InvariantCulture);

    public static string ListTime(long unixMs)
    {
        if (unixMs == 0)
        {
            return "";
        }
        var local = Local(unixMs);
        return local.Date == DateTime.Now.Date ? Time(unixMs) : local.ToString("d MMM", CultureInfo.InvariantCulture);
    }

    public static string Day(DateTime day) =>
        day == DateTime.Now.Date ? "Today"
        : day == DateTime.Now.Date.AddDays(-1) ? "Yesterday"
        : day.ToString("dddd, d MMMM yyyy", CultureInfo.InvariantCulture);

    public static string LastSeen(DateTimeOffset? lastSeen) =>
        lastSeen is not { } at ? "" : $"last seen {Day(Local(at.ToUnixTimeMilliseconds()).Date).ToLowerInvariant()} at {Time(at.ToUnixTimeMilliseconds())}";
}
