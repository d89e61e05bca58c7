using System.Globalization;

namespace KeyGuard.CredentialReport;

/// <summary>What a credential-report cell held: a real value or one of the report's special words (aws-iam.md §3).</summary>
internal enum ReportValueKind
{
    /// <summary>The cell held a real value (a date, region or service).</summary>
    Value,
    /// <summary><c>N/A</c>: no password, no key, or a key that was never used.</summary>
    NotApplicable,
    /// <summary><c>no_information</c>: a password that was never used (or has no sign-in data since 2014-10-20).</summary>
    NoInformation,
    /// <summary><c>not_supported</c>: the root row's password columns.</summary>
    NotSupported,
    /// <summary>The column is not in this report (the older 16-column format has no *_last_used_* columns).</summary>
    ColumnAbsent,
}

/// <summary>A date cell of the credential report: either a date or the reason there is none.</summary>
internal readonly record struct ReportDate(ReportValueKind Kind, DateTimeOffset? Value)
{
    public static ReportDate NotApplicable { get; } = new(ReportValueKind.NotApplicable, null);
    public static ReportDate NoInformation { get; } = new(ReportValueKind.NoInformation, null);
    public static ReportDate NotSupported { get; } = new(ReportValueKind.NotSupported, null);
    public static ReportDate ColumnAbsent { get; } = new(ReportValueKind.ColumnAbsent, null);

    public static ReportDate Of(DateTimeOffset value) => new(ReportValueKind.Value, value);

    public bool HasValue => Value is not null;

    /// <summary>Whole days from this date to <paramref name="now"/> (never negative), or null when there is no date.</summary>
    public int? DaysBefore(DateTimeOffset now) =>
        Value is { } date ? Math.Max(0, (int)Math.Floor((now - date).TotalDays)) : null;

    /// <summary>The date as yyyy-MM-dd, or the report's own word for its absence.</summary>
    public override string ToString() => Kind switch
    {
        ReportValueKind.Value => Value!.Value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ReportValueKind.NotApplicable => "N/A",
        ReportValueKind.NoInformation => "no_information",
        ReportValueKind.NotSupported => "not_supported",
        _ => "(column absent)",
    };
}
