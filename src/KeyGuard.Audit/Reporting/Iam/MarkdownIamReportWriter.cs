using KeyGuard.Compliance;
using KeyGuard.Findings;

namespace KeyGuard.Reporting.Iam;

/// <summary>
/// A Markdown page for tickets and wikis: the summary, the per-control table and the key ages first; then the account
/// baseline, the findings grouped by control and the failing users (--top N keeps N of each; --summary-only stops
/// after the summary).
/// </summary>
internal sealed class MarkdownIamReportWriter : IIamReportWriter
{
    public void Write(IamComplianceReport report, TextWriter output)
    {
        var summary = report.Summary;
        output.WriteLine($"# KeyGuard IAM credential report{report.ForAccount}");
        output.WriteLine();
        output.WriteLine($"Credential report generated {ReportText.Timestamp(report.Generated)}, evaluated {ReportText.Timestamp(report.EvaluatedAt)}.");
        output.WriteLine($"{ReportText.Count(summary.Users)} users; **{ReportText.Count(summary.Fail)} failing**, {ReportText.Count(summary.NotEvaluated)} not evaluated, {ReportText.Count(summary.Pass)} passing results.");
        output.WriteLine();
        output.WriteLine("Failures by severity: " + string.Join(", ",
            summary.FailuresBySeverity.Select(pair => $"{pair.Key.Name()} {ReportText.Count(pair.Value)}")) + ".");
        output.WriteLine();

        output.WriteLine("## Controls");
        output.WriteLine();
        Row(output, "CIS v1.5/v3.0", "CIS v5.0", "Title", "Severity", "Pass", "Fail", "Not evaluated", "Note");
        Row(output, "---", "---", "---", "---", "---:", "---:", "---:", "---:");
        foreach (var c in summary.Controls)
            Row(output, ReportText.Number(c.Control.Control), ReportText.Number(c.Control.ControlV5), c.Control.Title, c.Control.Severity.Name(),
                ReportText.Count(c.Pass), ReportText.Count(c.Fail), ReportText.Count(c.NotEvaluated), ReportText.Count(c.Note));
        output.WriteLine();

        output.WriteLine("## Active access keys by age");
        output.WriteLine();
        Row(output, "Days since rotation", "Keys", "");
        Row(output, "---", "---:", "---");
        var widest = Math.Max(1, summary.KeyAgeDistribution.Max(b => b.Count));
        foreach (var bucket in summary.KeyAgeDistribution)
            Row(output, bucket.Label, ReportText.Count(bucket.Count), new string('█', bucket.Count == 0 ? 0 : Math.Max(1, bucket.Count * 30 / widest)));
        output.WriteLine();

        if (report.SummaryOnly)
        {
            output.WriteLine($"*--summary-only: {ReportText.Count(summary.Fail)} failing and {ReportText.Count(summary.NotEvaluated)} not evaluated results are not listed.*");
            return;
        }

        // A failing baseline comes before the credential findings, a passing one after them (as in HTML).
        bool baselineFirst = report.HasBaseline && report.BaselineFails;
        if (baselineFirst) WriteBaseline(output, report);
        WriteGroups(output, report);
        if (report.HasBaseline && !baselineFirst) WriteBaseline(output, report);
    }

    private static void WriteGroups(TextWriter output, IamComplianceReport report)
    {
        output.WriteLine("## Failures by control");
        output.WriteLine();
        var groups = FailureGroups.ByControl(report);
        if (groups.Count == 0)
        {
            output.WriteLine("No failing controls.");
            output.WriteLine();
            return;
        }
        foreach (var group in groups)
        {
            output.WriteLine($"### {Escape(ReportText.Number(group.Control.Control))} (v5 {Escape(ReportText.Number(group.Control.ControlV5))}) {Escape(group.Control.Title)}");
            output.WriteLine();
            output.WriteLine($"{group.Control.Severity.Name()}: {ReportText.Count(group.Fail)} failing" + (group.NotEvaluated > 0 ? $", {ReportText.Count(group.NotEvaluated)} not evaluated" : "") + ".");
            output.WriteLine();
            Row(output, "Severity", "Status", "CIS", "v5", "User", "Key", "Age", "Evidence");
            Row(output, "---", "---", "---", "---", "---", "---", "---:", "---");
            foreach (var r in group.Listed)
                Row(output, r.Severity.Name(), r.Status.Name(), ReportText.Number(r.Control.Control), ReportText.Number(r.Control.ControlV5), Code(r.User),
                    ReportText.Key(r.KeySlot), ReportText.Age(r.AgeDays), r.Evidence);
            if (group.More > 0)
            {
                output.WriteLine();
                output.WriteLine(Escape(ReportText.More(group.More, "of this control")));
            }
            output.WriteLine();
        }

        var users = FailureGroups.ByUser(report);
        if (users.Total == 0) return;
        output.WriteLine($"## Failures by user ({ReportText.Count(users.Total)} users)");
        output.WriteLine();
        Row(output, "User", "Failures", "Worst", "Controls");
        Row(output, "---", "---:", "---", "---");
        foreach (var u in users.Listed)
            Row(output, Code(u.User), ReportText.Count(u.Failures.Count), u.Worst.Name(), u.Controls);
        if (users.More > 0)
        {
            output.WriteLine();
            output.WriteLine(Escape(ReportText.More(users.More, "users")));
        }
        output.WriteLine();
    }

    private static void WriteBaseline(TextWriter output, IamComplianceReport report)
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
