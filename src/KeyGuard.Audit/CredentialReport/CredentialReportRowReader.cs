using System.Globalization;

namespace KeyGuard.CredentialReport;

/// <summary>Turns one CSV record into a typed row, naming the row, user and column in every error.</summary>
internal readonly struct CredentialReportRowReader(string[] record, int rowNumber, CredentialReportHeader header, DateTimeOffset generatedAt)
{
    private const string IamDateFormat = "yyyy-MM-dd'T'HH:mm:sszzz";

    /// <summary>No AWS account, user or key is older than AWS itself (2006).</summary>
    internal static readonly DateTimeOffset EarliestPlausible = new(2006, 1, 1, 0, 0, 0, TimeSpan.Zero);
    /// <summary>Clock skew allowed between IAM (or the file's time) and the dates in the report.</summary>
    internal static readonly TimeSpan FutureTolerance = TimeSpan.FromDays(1);

    private string Cell(string column) => record[header.IndexOf(column)].Trim();

    private string UserForMessage => record.Length > header.IndexOf(CredentialReportColumns.User)
        ? Cell(CredentialReportColumns.User)
        : "?";

    public CredentialReportRow Read()
    {
        if (record.Length != header.ColumnCount)
            throw Error($"has {record.Length} fields but the header has {header.ColumnCount}");

        var user = Cell(CredentialReportColumns.User);
        if (user.Length == 0)
            throw Error("user is empty");
        var passwordEnabled = ReadBool(CredentialReportColumns.PasswordEnabled, allowNotSupported: true);

        return new CredentialReportRow(
            rowNumber,
            user,
            Cell(CredentialReportColumns.Arn),
            ReadRequiredDate(CredentialReportColumns.UserCreationTime),
            passwordEnabled,
            ReadDate(CredentialReportColumns.PasswordLastUsed),
            ReadDate(CredentialReportColumns.PasswordLastChanged),
            // Due in the future by design; a password policy's MaxPasswordAge is at most 1,095 days.
            ReadDate(CredentialReportColumns.PasswordNextRotation, maxDaysAhead: 1095),
            ReadBool(CredentialReportColumns.MfaActive, allowNotSupported: false)!.Value,
            ReadAccessKey(1),
            ReadAccessKey(2),
            ReadCertificate(1),
            ReadCertificate(2));
    }

    private AccessKeyColumns ReadAccessKey(int slot)
    {
        var active = ReadBool(CredentialReportColumns.KeyActive(slot), allowNotSupported: false)!.Value;
        var lastRotated = ReadDate(CredentialReportColumns.KeyLastRotated(slot));
        if (!header.HasLastUsedColumns)
            return new AccessKeyColumns(slot, active, lastRotated, ReportDate.ColumnAbsent, null, null);
        return new AccessKeyColumns(
            slot,
            active,
            lastRotated,
            ReadDate(CredentialReportColumns.KeyLastUsedDate(slot)),
            ReadText(CredentialReportColumns.KeyLastUsedRegion(slot)),
            ReadText(CredentialReportColumns.KeyLastUsedService(slot)));
    }

    private CertificateColumns ReadCertificate(int slot) => new(
        slot,
        ReadBool(CredentialReportColumns.CertActive(slot), allowNotSupported: false)!.Value,
        ReadDate(CredentialReportColumns.CertLastRotated(slot)));

    private bool? ReadBool(string column, bool allowNotSupported)
    {
        var text = Cell(column);
        // The User Guide writes TRUE/FALSE, real reports write true/false: compare without case.
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
        if (text.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
        if (allowNotSupported && text.Equals("not_supported", StringComparison.OrdinalIgnoreCase)) return null;
        throw Error($"{column} '{text}' is not true or false");
    }

    private ReportDate ReadDate(string column, int maxDaysAhead = 0)
    {
        var text = Cell(column);
        if (text.Equals("N/A", StringComparison.OrdinalIgnoreCase)) return ReportDate.NotApplicable;
        if (text.Equals("no_information", StringComparison.OrdinalIgnoreCase)) return ReportDate.NoInformation;
        if (text.Equals("not_supported", StringComparison.OrdinalIgnoreCase)) return ReportDate.NotSupported;
        return ReportDate.Of(ParseDate(column, text, maxDaysAhead));
    }

    private DateTimeOffset ReadRequiredDate(string column) => ParseDate(column, Cell(column));

    private DateTimeOffset ParseDate(string column, string text, int maxDaysAhead = 0) =>
        Plausible(column, text, ParseAnyDate(column, text), maxDaysAhead);

    private DateTimeOffset ParseAnyDate(string column, string text)
    {
        // Reports carry ISO 8601 with an offset; a date without one is taken as UTC.
        // The exact form IAM writes is tried first: it is several times faster than the general parser.
        if (DateTimeOffset.TryParseExact(text, IamDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var exact))
            return exact.ToUniversalTime();
        if (text.Length >= 10 && char.IsAsciiDigit(text[0]) &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            return value.ToUniversalTime();
        throw Error($"{column} '{text}' is not a date");
    }

    /// <summary>
    /// A date after the report was generated, or before AWS existed, is a broken or forged report: judged as is it
    /// would read "rotated today" and pass CIS 1.14 (reliability B31). It is an error naming the cell, like any other.
    /// </summary>
    private DateTimeOffset Plausible(string column, string text, DateTimeOffset date, int maxDaysAhead)
    {
        if (date > generatedAt + FutureTolerance + TimeSpan.FromDays(maxDaysAhead))
            throw Error($"{column} '{text}' is in the future (the report was generated {generatedAt.UtcDateTime:yyyy-MM-dd})");
        if (date < EarliestPlausible)
            throw Error($"{column} '{text}' is before {EarliestPlausible.Year}, older than any AWS account");
        return date;
    }

    private string? ReadText(string column)
    {
        var text = Cell(column);
        return text.Length == 0 || text.Equals("N/A", StringComparison.OrdinalIgnoreCase) ? null : text;
    }

    private CredentialReportFormatException Error(string problem) =>
        new($"credential report row {rowNumber} (user '{UserForMessage}'): {problem}");
}
