using KeyGuard.Compliance;
using KeyGuard.Findings;

namespace KeyGuard.Reporting.Iam;

/// <summary>
/// Terminal output. The summary comes first (counts, failures by severity, the per-control table, the key-age chart),
/// so a 10,000-user account still opens with what a reader needs; then the findings grouped by control and the failing
/// users, the worst first (--top N keeps N of each; --summary-only stops after the summary).
/// </summary>
internal sealed class TextIamReportWriter : IIamReportWriter
{
    public void Write(IamComplianceReport report, TextWriter output)
    {
        var summary = report.Summary;
        output.WriteLine($"KeyGuard IAM credential report{report.ForAccount}: credential report generated {ReportText.Timestamp(report.Generated)}, evaluated {ReportText.Timestamp(report.EvaluatedAt)}");
        output.WriteLine($"{ReportText.Count(summary.Users)} users; {ReportText.Count(summary.Fail)} failing, {ReportText.Count(summary.NotEvaluated)} not evaluated, {ReportText.Count(summary.Pass)} passing results");
        output.WriteLine("Failures by severity: " + string.Join(", ",
            summary.FailuresBySeverity.Select(pair => $"{pair.Key.Name()} {ReportText.Count(pair.Value)}")));

        output.WriteLine();
        output.WriteLine("Per control:");
        WriteTable(output,
            ["CIS", "V5", "SEVERITY", "PASS", "FAIL", "N/E+NOTE", "TITLE"],
            summary.Controls.Select(c => new[]
            {
                ReportText.Number(c.Control.Control), ReportText.Number(c.Control.ControlV5), c.Control.Severity.Name(),
                ReportText.Count(c.Pass), ReportText.Count(c.Fail), ReportText.Count(c.NotEvaluated + c.Note), c.Control.Title,
            }).ToList());

        output.WriteLine();
        output.WriteLine("Active access keys by age (days since last rotation):");
        var widest = Math.Max(1, summary.KeyAgeDistribution.Max(b => b.Count));
        foreach (var bucket in summary.KeyAgeDistribution)
        {
            var bar = new string('#', bucket.Count == 0 ? 0 : Math.Max(1, bucket.Count * 40 / widest));
            output.WriteLine($"  {bucket.Label,-8} {ReportText.Count(bucket.Count),7}  {bar}");
        }
        if (summary.ActiveKeysWithoutDate > 0)
            output.WriteLine($"  ({summary.ActiveKeysWithoutDate} active keys have no rotation date)");

        if (report.SummaryOnly)
        {
            output.WriteLine();
            output.WriteLine($"(--summary-only: {ReportText.Count(summary.Fail)} failing and {ReportText.Count(summary.NotEvaluated)} not evaluated results not listed)");
            return;
        }

        // A failing baseline comes before the credential findings, a passing one after them (as in HTML).
        bool baselineFirst = report.HasBaseline && report.BaselineFails;
        if (baselineFirst) WriteBaseline(report, output);

        output.WriteLine();
        var groups = FailureGroups.ByControl(report);
        if (groups.Count == 0)
            output.WriteLine("No failing controls.");
        else
        {
            output.WriteLine("Failures by control:");
            foreach (var group in groups)
            {
                output.WriteLine();
                output.WriteLine($"{ReportText.Number(group.Control.Control)} (v5 {ReportText.Number(group.Control.ControlV5)}) {group.Control.Title} [{group.Control.Severity.Name()}]: " +
                    $"{ReportText.Count(group.Fail)} failing" + (group.NotEvaluated > 0 ? $", {ReportText.Count(group.NotEvaluated)} not evaluated" : ""));
                WriteTable(output,
                    ["SEVERITY", "STATUS", "CIS", "V5", "USER", "KEY", "AGE", "EVIDENCE"],
                    group.Listed.Select(r => new[]
                    {
                        r.Severity.Name(), r.Status.Name(), ReportText.Number(r.Control.Control), ReportText.Number(r.Control.ControlV5), r.User,
                        ReportText.Key(r.KeySlot), ReportText.Age(r.AgeDays), r.Evidence,
                    }).ToList());
                if (group.More > 0) output.WriteLine("  " + ReportText.More(group.More, "of this control"));
            }

            var users = FailureGroups.ByUser(report);
            if (users.Total > 0) WriteUsers(output, users);
        }
        int passing = report.PassingCredentials;
        if (passing > 0)
            output.WriteLine($"({ReportText.Count(passing)} passing results not listed; --format json or csv lists every result)");
        if (report.HasBaseline && !baselineFirst) WriteBaseline(report, output);
    }

    private static void WriteUsers(TextWriter output, UserGroups users)
    {
        output.WriteLine();
        output.WriteLine($"Failures by user ({ReportText.Count(users.Total)} users):");
        WriteTable(output,
            ["USER", "FAILURES", "WORST", "CONTROLS"],
            users.Listed.Select(u => new[] { u.User, ReportText.Count(u.Failures.Count), u.Worst.Name(), u.Controls }).ToList());
        if (users.More > 0) output.WriteLine("  " + ReportText.More(users.More, "users"));
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
