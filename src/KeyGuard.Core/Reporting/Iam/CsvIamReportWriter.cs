using CsvHelper;
using KeyGuard.Compliance;

namespace KeyGuard.Reporting.Iam;

/// <summary>
/// Every result as one CSV row. CsvHelper does the quoting; the formula guard is the shared one
/// (<see cref="CsvOutput"/>): IAM user names may start with = + @ or -.
/// </summary>
public sealed class CsvIamReportWriter : IIamReportWriter
{
    public static readonly string[] Header =
        ["user", "arn", "control", "controlV5", "title", "status", "severity", "evidence", "keySlot", "ageDays", "generated", "section", "remediation"];

    public void Write(IamComplianceReport report, TextWriter output)
    {
        using var csv = CsvWriter.Create(output, CsvOutput.Options("\n"), leaveOpen: true);
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
