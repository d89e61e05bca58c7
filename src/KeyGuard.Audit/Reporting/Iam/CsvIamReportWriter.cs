using CsvHelper;
using KeyGuard.Compliance;
using KeyGuard.Findings;

namespace KeyGuard.Reporting.Iam;

/// <summary>
/// The summary first, as rows whose status is "summary" (one per control with its counts in the evidence column, then one
/// per key-age bucket), then every result as one CSV row (none with --summary-only). Filter on status to get results
/// only. CsvHelper does the quoting and guards formulas (CsvInjection.Escape, as the scan's CSV does): IAM user names
/// may start with = + @ or -.
/// </summary>
internal sealed class CsvIamReportWriter : IIamReportWriter
{
    public static readonly string[] Header =
        ["user", "arn", "control", "controlV5", "title", "status", "severity", "evidence", "keySlot", "ageDays", "generated", "section", "remediation"];

    /// <summary>The status of the summary rows that open the file.</summary>
    public const string SummaryStatus = "summary";

    public void Write(IamComplianceReport report, TextWriter output)
    {
        using var csv = CsvWriter.Create(output, CsvWriterOptions.Default with { NewLine = "\n", Injection = CsvInjection.Escape }, leaveOpen: true);
        csv.WriteHeader(Header);
        var generated = ReportText.Timestamp(report.Generated);
        foreach (var c in report.Summary.Controls)
            csv.WriteRecord(
            [
                "", "", c.Control.Control, c.Control.ControlV5, c.Control.Title, SummaryStatus, c.Control.Severity.Name(),
                $"{c.Fail} fail, {c.Pass} pass, {c.NotEvaluated} not evaluated" + (c.Note > 0 ? $", {c.Note} note" : ""),
                "", "", generated, JsonIamReportWriter.SectionName(c.Control.Section), "",
            ]);
        foreach (var bucket in report.Summary.KeyAgeDistribution)
            csv.WriteRecord(
            [
                "", "", "", "", $"active access keys {bucket.Label} days since rotation", SummaryStatus, "",
                $"{bucket.Count} keys", "", "", generated, JsonIamReportWriter.SectionName(ControlSection.Credentials), "",
            ]);
        if (report.SummaryOnly) return;
        foreach (var result in report.Results)
            csv.WriteRecord(
            [
                result.User, result.Arn, result.Control.Control, result.Control.ControlV5, result.Control.Title,
                result.Status.Name(), result.Severity.Name(), result.Evidence,
                ReportText.Key(result.KeySlot), result.AgeDays?.ToString() ?? "", generated,
                JsonIamReportWriter.SectionName(result.Control.Section), result.Control.Remediation,
            ]);
    }
}
