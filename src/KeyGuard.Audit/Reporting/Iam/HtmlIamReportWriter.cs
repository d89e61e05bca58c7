using System.Net;
using KeyGuard.Compliance;
using KeyGuard.Findings;

namespace KeyGuard.Reporting.Iam;

/// <summary>
/// One self-contained HTML page (inline CSS, inline SVG, no script, no external URL) that can be mailed as it is.
/// A Content-Security-Policy of default-src 'none' makes the browser refuse any request the page might still try.
/// </summary>
internal sealed class HtmlIamReportWriter : IIamReportWriter
{
    private const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1b1b1b;background:#fff}
        h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
        .meta{color:#555;margin-top:0}
        .cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
        .card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:8rem}
        .card .n{font-size:1.6rem;font-weight:600;display:block}
        table{border-collapse:collapse;width:100%;margin:.5rem 0}
        th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}
        .sev{font-weight:600;border-radius:3px;padding:0 .4rem;color:#fff;white-space:nowrap}
        .sev-critical{background:#8e0000}.sev-high{background:#c62828}.sev-medium{background:#ef6c00}.sev-low{background:#607d8b}
        .st-fail{color:#c62828;font-weight:600}.st-pass{color:#2e7d32}.st-not_evaluated{color:#6d4c41}.st-note{color:#1565c0}
        .fix{font-size:12px;color:#333}
        details.group{margin:.6rem 0}details>summary{cursor:pointer;padding:.2rem 0}.more{color:#555;font-style:italic}
        td.share{min-width:9rem;white-space:nowrap}.track{display:inline-block;width:6rem;height:.8rem;background:#eee;vertical-align:middle}.fail-bar{display:block;height:100%;background:#c62828}
        .age-chart .axis{font-size:12px;fill:#333}.age-chart .count{font-size:12px;font-weight:600;fill:#111}
        code{font-size:13px}
        @media print{body{margin:0}}
        """;

    public void Write(IamComplianceReport report, TextWriter output)
    {
        var summary = report.Summary;
        output.WriteLine("<!DOCTYPE html>");
        output.WriteLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        output.WriteLine("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        output.WriteLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        output.WriteLine($"<title>KeyGuard IAM credential report {E(ReportText.Timestamp(report.Generated))}{E(report.ForAccount)}</title>");
        output.WriteLine($"<style>{Style}</style></head><body>");

        output.WriteLine($"<h1>KeyGuard IAM credential report{E(report.ForAccount)}</h1>");
        output.WriteLine($"<p class=\"meta\">Credential report generated {E(ReportText.Timestamp(report.Generated))}; evaluated {E(ReportText.Timestamp(report.EvaluatedAt))} against CIS AWS Foundations v1.5/v3.0 (v5.0 numbers alongside).</p>");

        // The summary, the chart and the per-control counts come before any row: a 10,000-user page opens with them.
        output.WriteLine("<section id=\"summary\">");
        output.WriteLine("<div class=\"cards\">");
        Card(output, "users", summary.Users);
        Card(output, "failing", summary.Fail);
        foreach (var (severity, count) in summary.FailuresBySeverity) Card(output, $"{severity.Name()} failures", count);
        Card(output, "not evaluated", summary.NotEvaluated);
        Card(output, "passing", summary.Pass);
        output.WriteLine("</div>");
        output.WriteLine("<h2>Active access keys by age</h2>");
        output.WriteLine("<figure>" + AgeChartSvg.Render(summary.KeyAgeDistribution) + "</figure>");
        if (summary.ActiveKeysWithoutDate > 0)
            output.WriteLine($"<p>{ReportText.Count(summary.ActiveKeysWithoutDate)} active keys have no rotation date and are not charted.</p>");
        output.WriteLine("<h2>Controls</h2>");
        WriteControls(output, summary.Controls);
        output.WriteLine("</section>");

        if (report.SummaryOnly)
            output.WriteLine($"<p class=\"meta\" id=\"summary-only\">--summary-only: {ReportText.Count(summary.Fail)} failing and {ReportText.Count(summary.NotEvaluated)} not evaluated results are not listed.</p>");
        else
        {
            // A failing baseline (no CloudTrail, public S3, ...) is what makes a leaked key unsurvivable: before the findings.
            bool baselineFirst = report.HasBaseline && report.BaselineFails;
            if (baselineFirst) WriteBaseline(output, report);
            WriteFindings(output, FailureGroups.ByControl(report), report.PassingCredentials);
            WriteUsers(output, FailureGroups.ByUser(report));
            if (report.HasBaseline && !baselineFirst) WriteBaseline(output, report);
        }

        output.WriteLine($"<p class=\"meta\">Thresholds: key age {report.Thresholds.MaxKeyAgeDays} days, unused {report.Thresholds.MaxUnusedDays} days, password length {report.Thresholds.MinPasswordLength}, reuse {report.Thresholds.PasswordReuseCount}, root use window {report.Thresholds.RootUseWindowDays} day(s). Generated by KeyGuard.</p>");
        output.WriteLine("</body></html>");
    }

    private static void WriteBaseline(TextWriter output, IamComplianceReport report)
    {
        var results = report.BaselineResults.ToList();
        int failing = results.Count(r => r.IsFailure);
        output.WriteLine($"<section id=\"baseline\" data-failing=\"{failing}\"><h2>Account baseline</h2>");
        output.WriteLine($"<p class=\"meta\">CloudTrail, AWS Config, S3 Block Public Access, IAM Access Analyzer and IAM policies: {failing} failing, {results.Count(r => r.Status == ComplianceStatus.NotEvaluated)} not evaluated, {results.Count(r => r.Status == ComplianceStatus.Note)} notes, {results.Count(r => r.Status == ComplianceStatus.Pass)} passing.</p>");
        output.WriteLine("<table id=\"baseline-results\"><thead><tr><th>Severity</th><th>Status</th><th>CIS</th><th>v5</th><th>Subject</th><th>Evidence</th><th>How to fix</th></tr></thead><tbody>");
        foreach (var r in results)
            output.WriteLine(
                $"<tr><td><span class=\"sev sev-{r.Severity.Name()}\">{r.Severity.Name()}</span></td>" +
                $"<td class=\"st-{r.Status.Name()}\">{E(r.Status.Name().Replace('_', ' '))}</td>" +
                $"<td title=\"{E(r.Control.Title)}\">{E(ReportText.Number(r.Control.Control))}</td><td>{E(ReportText.Number(r.Control.ControlV5))}</td>" +
                $"<td><code title=\"{E(r.Arn)}\">{E(r.User)}</code></td><td>{E(r.Evidence)}</td>" +
                $"<td class=\"fix\">{(r.Status == ComplianceStatus.Pass ? "" : $"<code>{E(r.Control.Remediation)}</code>")}</td></tr>");
        output.WriteLine("</tbody></table></section>");
    }

    private static void Card(TextWriter output, string label, int count) =>
        output.WriteLine($"<div class=\"card\"><span class=\"n\">{ReportText.Count(count)}</span>{E(label)}</div>");

    /// <summary>Groups with many rows start folded (details works without scripts); the short ones start open.</summary>
    private const int OpenUpTo = 25;

    private static void WriteFindings(TextWriter output, IReadOnlyList<ControlGroup> groups, int passing)
    {
        output.WriteLine("<section id=\"findings\"><h2>Failures by control</h2>");
        if (groups.Count == 0)
            output.WriteLine("<p id=\"no-findings\">No failing controls.</p>");
        foreach (var group in groups)
        {
            var c = group.Control;
            output.WriteLine($"<details class=\"group\" data-control=\"{E(c.Control)}\"{(group.Listed.Count <= OpenUpTo ? " open" : "")}>");
            output.WriteLine($"<summary><span class=\"sev sev-{c.Severity.Name()}\">{c.Severity.Name()}</span> <b>{E(ReportText.Number(c.Control))}</b> (v5 {E(ReportText.Number(c.ControlV5))}) {E(c.Title)}: " +
                $"{ReportText.Count(group.Fail)} failing" + (group.NotEvaluated > 0 ? $", {ReportText.Count(group.NotEvaluated)} not evaluated" : "") + "</summary>");
            output.WriteLine("<table class=\"findings\"><thead><tr><th>Severity</th><th>Status</th><th>CIS</th><th>v5</th><th>User</th><th>Key</th><th>Age</th><th>Evidence</th></tr></thead><tbody>");
            foreach (var r in group.Listed)
                output.WriteLine(
                    $"<tr><td><span class=\"sev sev-{r.Severity.Name()}\">{r.Severity.Name()}</span></td>" +
                    $"<td class=\"st-{r.Status.Name()}\">{E(r.Status.Name().Replace('_', ' '))}</td>" +
                    $"<td title=\"{E(r.Control.Title)}\">{E(ReportText.Number(r.Control.Control))}</td><td>{E(ReportText.Number(r.Control.ControlV5))}</td>" +
                    $"<td><code title=\"{E(r.Arn)}\">{E(r.User)}</code></td><td class=\"num\">{ReportText.Key(r.KeySlot)}</td>" +
                    $"<td class=\"num\">{E(ReportText.Age(r.AgeDays))}</td><td>{E(r.Evidence)}</td></tr>");
            output.WriteLine("</tbody></table>");
            if (group.More > 0) output.WriteLine($"<p class=\"more\">{E(ReportText.More(group.More, "of this control"))}</p>");
            output.WriteLine("</details>");
        }
        if (passing > 0)
            output.WriteLine($"<p class=\"meta\">{ReportText.Count(passing)} passing results are counted above and listed in the JSON and CSV outputs.</p>");
        output.WriteLine("</section>");
    }

    private static void WriteUsers(TextWriter output, UserGroups users)
    {
        if (users.Total == 0) return;
        output.WriteLine($"<section id=\"by-user\"><h2>Failures by user</h2>");
        output.WriteLine($"<details{(users.Listed.Count <= OpenUpTo ? " open" : "")}><summary>{ReportText.Count(users.Total)} users with failures, the worst first</summary>");
        output.WriteLine("<table id=\"users\"><thead><tr><th>User</th><th>Failures</th><th>Worst</th><th>Controls</th></tr></thead><tbody>");
        foreach (var u in users.Listed)
            output.WriteLine(
                $"<tr><td><code title=\"{E(u.Arn)}\">{E(u.User)}</code></td><td class=\"num\">{ReportText.Count(u.Failures.Count)}</td>" +
                $"<td><span class=\"sev sev-{u.Worst.Name()}\">{u.Worst.Name()}</span></td><td>{E(u.Controls)}</td></tr>");
        output.WriteLine("</tbody></table>");
        if (users.More > 0) output.WriteLine($"<p class=\"more\">{E(ReportText.More(users.More, "users"))}</p>");
        output.WriteLine("</details></section>");
    }

    /// <summary>Per-control counts with a CSS bar of the failing share (no script, no image).</summary>
    private static void WriteControls(TextWriter output, IReadOnlyList<ControlSummary> controls)
    {
        output.WriteLine("<table id=\"controls\"><thead><tr><th>CIS v1.5/v3.0</th><th>CIS v5.0</th><th>Control</th><th>Severity</th><th>Pass</th><th>Fail</th><th>Not evaluated</th><th>Failing share</th></tr></thead><tbody>");
        foreach (var c in controls)
        {
            int judged = c.Pass + c.Fail;
            // A failing control always shows a bar, however small its share.
            int percent = c.Fail == 0 ? 0 : Math.Max(1, (int)Math.Round(100.0 * c.Fail / judged));
            output.WriteLine(
                $"<tr><td>{E(ReportText.Number(c.Control.Control))}</td><td>{E(ReportText.Number(c.Control.ControlV5))}</td><td>{E(c.Control.Title)}</td>" +
                $"<td><span class=\"sev sev-{c.Control.Severity.Name()}\">{c.Control.Severity.Name()}</span></td>" +
                $"<td class=\"num\">{ReportText.Count(c.Pass)}</td><td class=\"num\">{ReportText.Count(c.Fail)}</td><td class=\"num\">{ReportText.Count(c.NotEvaluated)}</td>" +
                $"<td class=\"share\"><span class=\"track\"><span class=\"fail-bar\" style=\"width:{percent}%\" data-share=\"{percent}\"></span></span> {percent}%</td></tr>");
        }
        output.WriteLine("</tbody></table>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
