using KeyGuard.Compliance;

namespace KeyGuard.Reporting.Iam;

/// <summary>Terminal output: the findings table in risk order, then the per-control summary and the key age buckets.</summary>
internal sealed class TextIamReportWriter : IIamReportWriter
{
    public void Write(IamComplianceReport report, TextWriter output)
    {
        var summary = report.Summary;
        output.WriteLine($"KeyGuard IAM credential report{report.ForAccount}: credential report generated {ReportText.Timestamp(report.Generated)}, evaluated {ReportText.Timestamp(report.EvaluatedAt)}");
        output.WriteLine($"{summary.Users} users; {summary.Fail} failing, {summary.NotEvaluated} not evaluated, {summary.Pass} passing results");
        output.WriteLine();

        var findings = report.Findings.ToList();
        if (findings.Count == 0)
            output.WriteLine("No failing controls.");
        else
            WriteTable(output,
                ["SEVERITY", "STATUS", "CIS", "V5", "USER", "KEY", "AGE", "EVIDENCE"],
                findings.Select(r => new[]
                {
                    r.Severity.Name(), r.Status.Name(), ReportText.Number(r.Control.Control), ReportText.Number(r.Control.ControlV5), r.User,
                    ReportText.Key(r.KeySlot), ReportText.Age(r.AgeDays), r.Evidence,
                }).ToList());
        int passingCredentials = report.Results.Count(r => r.Status == ComplianceStatus.Pass && r.Control.Section == ControlSection.Credentials);
        if (passingCredentials > 0)
            output.WriteLine($"({passingCredentials} passing results not listed; --format json or csv lists every result)");

        if (report.HasBaseline) WriteBaseline(report, output);

        output.WriteLine();
        output.WriteLine("Per control:");
        WriteTable(output,
            ["CIS", "V5", "SEVERITY", "PASS", "FAIL", "N/E+NOTE", "TITLE"],
            summary.Controls.Select(c => new[]
            {
                ReportText.Number(c.Control.Control), ReportText.Number(c.Control.ControlV5), c.Control.Severity.Name(),
                c.Pass.ToString(), c.Fail.ToString(), (c.NotEvaluated + c.Note).ToString(), c.Control.Title,
            }).ToList());

        output.WriteLine();
        output.WriteLine("Failures by severity: " + string.Join(", ",
            summary.FailuresBySeverity.Select(pair => $"{pair.Key.Name()} {pair.Value}")));

        output.WriteLine();
        output.WriteLine("Active access keys by age (days since last rotation):");
        var widest = Math.Max(1, summary.KeyAgeDistribution.Max(b => b.Count));
        foreach (var bucket in summary.KeyAgeDistribution)
        {
            var bar = new string('#', bucket.Count == 0 ? 0 : Math.Max(1, bucket.Count * 40 / widest));
            output.WriteLine($"  {bucket.Label,-8} {bucket.Count,6}  {bar}");
        }
        if (summary.ActiveKeysWithoutDate > 0)
            output.WriteLine($"  ({summary.ActiveKeysWithoutDate} active keys have no rotation date)");
    }

    /// <summary>Every baseline result (passes too: the baseline is a short checklist), then how to fix each failing control.</summary>
    private static void WriteBaseline(IamComplianceReport report, TextWriter output)
    {
        var results = report.BaselineResults.ToList();
        output.WriteLine();
        output.WriteLine("Account baseline (CloudTrail, AWS Config, S3 Block Public Access, IAM Access Analyzer, IAM policies):");
        WriteTable(output,
            ["SEVERITY", "STATUS", "CIS", "V5", "SUBJECT", "EVIDENCE"],
            results.Select(r => new[]
            {
                r.Severity.Name(), r.Status.Name(), ReportText.Number(r.Control.Control), ReportText.Number(r.Control.ControlV5), r.User, r.Evidence,
            }).ToList());
        var failing = results.Where(r => r.Status is ComplianceStatus.Fail or ComplianceStatus.Note).Select(r => r.Control).Distinct().ToList();
        if (failing.Count == 0) return;
        output.WriteLine();
        output.WriteLine("How to fix:");
        foreach (var control in failing)
            output.WriteLine($"  {ReportText.Number(control.Control),-6} {control.Remediation}");
    }

    /// <summary>Left-aligned columns; the last column is not padded so long evidence does not push trailing spaces.</summary>
    private static void WriteTable(TextWriter output, string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        void Line(string[] cells) =>
            output.WriteLine(string.Join("  ", cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell.PadRight(widths[i]))));
        Line(header);
        foreach (var row in rows) Line(row);
    }
}
