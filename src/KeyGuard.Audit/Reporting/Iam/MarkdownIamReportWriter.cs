using KeyGuard.Compliance;

namespace KeyGuard.Reporting.Iam;

/// <summary>A Markdown page for tickets and wikis: summary, findings table, per-control table, key ages.</summary>
internal sealed class MarkdownIamReportWriter : IIamReportWriter
{
    public void Write(IamComplianceReport report, TextWriter output)
    {
        var summary = report.Summary;
        output.WriteLine($"# KeyGuard IAM credential report{report.ForAccount}");
        output.WriteLine();
        output.WriteLine($"Credential report generated {ReportText.Timestamp(report.Generated)}, evaluated {ReportText.Timestamp(report.EvaluatedAt)}.");
        output.WriteLine($"{summary.Users} users; **{summary.Fail} failing**, {summary.NotEvaluated} not evaluated, {summary.Pass} passing results.");
        output.WriteLine();
        output.WriteLine("Failures by severity: " + string.Join(", ",
            summary.FailuresBySeverity.Select(pair => $"{pair.Key.Name()} {pair.Value}")) + ".");
        output.WriteLine();

        output.WriteLine("## Findings (by risk)");
        output.WriteLine();
        var findings = report.Findings.ToList();
        if (findings.Count == 0)
            output.WriteLine("No failing controls.");
        else
        {
            Row(output, "Severity", "Status", "CIS", "v5", "User", "Key", "Age", "Evidence");
            Row(output, "---", "---", "---", "---", "---", "---", "---:", "---");
            foreach (var r in findings)
                Row(output, r.Severity.Name(), r.Status.Name(), ReportText.Number(r.Control.Control), ReportText.Number(r.Control.ControlV5), Code(r.User),
                    ReportText.Key(r.KeySlot), ReportText.Age(r.AgeDays), r.Evidence);
        }
        output.WriteLine();

        if (report.HasBaseline)
        {
            output.WriteLine("## Account baseline");
            output.WriteLine();
            Row(output, "Severity", "Status", "CIS", "v5", "Subject", "Evidence", "How to fix");
            Row(output, "---", "---", "---", "---", "---", "---", "---");
            foreach (var r in report.BaselineResults)
                Row(output, r.Severity.Name(), r.Status.Name(), ReportText.Number(r.Control.Control), ReportText.Number(r.Control.ControlV5),
                    Code(r.User), r.Evidence, r.Status == ComplianceStatus.Pass ? "" : r.Control.Remediation);
            output.WriteLine();
        }

        output.WriteLine("## Controls");
        output.WriteLine();
        Row(output, "CIS v1.5/v3.0", "CIS v5.0", "Title", "Severity", "Pass", "Fail", "Not evaluated", "Note");
        Row(output, "---", "---", "---", "---", "---:", "---:", "---:", "---:");
        foreach (var c in summary.Controls)
            Row(output, ReportText.Number(c.Control.Control), ReportText.Number(c.Control.ControlV5), c.Control.Title, c.Control.Severity.Name(),
                c.Pass.ToString(), c.Fail.ToString(), c.NotEvaluated.ToString(), c.Note.ToString());
        output.WriteLine();

        output.WriteLine("## Active access keys by age");
        output.WriteLine();
        Row(output, "Days since rotation", "Keys");
        Row(output, "---", "---:");
        foreach (var bucket in summary.KeyAgeDistribution) Row(output, bucket.Label, bucket.Count.ToString());
    }

    /// <summary>A code span keeps &lt; and &gt; literal, so only the table's pipe and the span's own backtick need care.</summary>
    private static CodeCell Code(string text) => new("`" + text.Replace("`", "'").Replace("|", "\\|") + "`");

    private sealed record CodeCell(string Markdown);

    private static void Row(TextWriter output, params object[] cells) =>
        output.WriteLine("| " + string.Join(" | ", cells.Select(cell => cell is CodeCell code ? code.Markdown : Escape((string)cell))) + " |");

    /// <summary>Pipes would split the cell; angle brackets would make "&lt;root_account&gt;" vanish as an HTML tag.</summary>
    private static string Escape(string cell) => cell
        .Replace("\\", "\\\\").Replace("|", "\\|").Replace("<", "&lt;").Replace(">", "&gt;")
        .Replace("\r", " ").Replace("\n", " ");
}
