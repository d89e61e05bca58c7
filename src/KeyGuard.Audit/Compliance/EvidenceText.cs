using System.Globalization;

namespace KeyGuard.Compliance;

/// <summary>Formats dates and ages for evidence sentences the same way everywhere.</summary>
internal static class EvidenceText
{
    public static string Date(DateTimeOffset date) =>
        date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Days(int days) =>
        days == 1 ? "1 day" : string.Create(CultureInfo.InvariantCulture, $"{days:N0} days");

    public static int AgeInDays(DateTimeOffset date, DateTimeOffset now) =>
        Math.Max(0, (int)Math.Floor((now - date).TotalDays));

    /// <summary>"2021-06-01 (1,976 days ago)"</summary>
    public static string DateWithAge(DateTimeOffset date, DateTimeOffset now)
    {
        var days = AgeInDays(date, now);
        var ago = days == 0 ? "today" : $"{Days(days)} ago";
        return $"{Date(date)} ({ago})";
    }

    /// <summary>"2021-06-01 (1,976 days ago; limit 90)"</summary>
    public static string DateWithAgeAndLimit(DateTimeOffset date, DateTimeOffset now, string limitLabel, int limit)
    {
        var withAge = DateWithAge(date, now);
        return $"{withAge[..^1]}; {limitLabel} {limit.ToString("N0", CultureInfo.InvariantCulture)})";
    }
}
