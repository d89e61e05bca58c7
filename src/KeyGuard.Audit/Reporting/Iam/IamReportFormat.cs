namespace KeyGuard.Reporting.Iam;

internal enum IamReportFormat { Text, Json, Csv, Markdown, Html }

/// <summary>Renders an <see cref="IamComplianceReport"/> in one format. Same input, same bytes.</summary>
internal interface IIamReportWriter
{
    void Write(IamComplianceReport report, TextWriter output);
}

internal static class IamReportWriters
{
    public static IamReportFormat ParseFormat(string text) => text.Trim().ToLowerInvariant() switch
    {
        "text" => IamReportFormat.Text,
        "json" => IamReportFormat.Json,
        "csv" => IamReportFormat.Csv,
        "markdown" or "md" => IamReportFormat.Markdown,
        "html" => IamReportFormat.Html,
        _ => throw new InvalidInputException($"unknown format '{text}' (expected text, json, csv, markdown or html)"),
    };

    public static IIamReportWriter For(IamReportFormat format) => format switch
    {
        IamReportFormat.Json => new JsonIamReportWriter(),
        IamReportFormat.Csv => new CsvIamReportWriter(),
        IamReportFormat.Markdown => new MarkdownIamReportWriter(),
        IamReportFormat.Html => new HtmlIamReportWriter(),
        _ => new TextIamReportWriter(),
    };

    public static string Render(IamComplianceReport report, IamReportFormat format)
    {
        var output = new StringWriter { NewLine = "\n" };
        For(format).Write(report, output);
        return output.ToString();
    }
}

/// <summary>Formatting shared by the writers.</summary>
internal static class ReportText
{
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static string Key(int? slot) => slot is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";

    public static string Age(int? days) => days is { } d ? Compliance.EvidenceText.Days(d) : "";

    /// <summary>A CIS number for tables: "-" when that benchmark version has no such control.</summary>
    public static string Number(string number) => number.Length == 0 ? "-" : number;
}
