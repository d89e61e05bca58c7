using CsvHelper;
using KeyGuard.Compliance;

namespace KeyGuard.Reporting.Iam;

/// <summary>
/// Every result as one CSV row. CsvHelper does the quoting and guards formulas (CsvInjection.Escape, as the scan's
/// CSV does): IAM user names may start with = + @ or -.
/// </summary>
internal sealed class CsvIamReportWriter : IIamReportWriter
{
    public static readonly string[] Header =
        ["user", "arn", "control", "controlV5", "title", "status", "severity", "evidence", "keySlot", "ageDays", "generated", "section", "remediation"];

    public void Write(IamComplianceReport report, TextWriter output)
    {
        using var csv = CsvWriter.Create(output, CsvWriterOptions.Default with { NewLine = "\n", Injection = CsvInjection.Escape }, leaveOpen: true);
        csv.WriteHeader(Header);
        var generated = ReportText.Timestamp(report.Generated);
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
