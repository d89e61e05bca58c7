using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;
using KeyGuard.Compliance;
using KeyGuard.Reporting.Iam;
using Xunit;

namespace KeyGuard.Tests.Audit;

/// <summary>
/// How every format lays out a report (aws-e2e §1.3: a 10,000-user account gave 15,688 text lines or a 6.2 MB page
/// with the summary after every row, and no grouping): the summary and the chart first, failures grouped by control
/// and by user, --top N and --summary-only.
/// </summary>
public class ReportLayoutTests
{
    private static readonly IamReportFormat[] AllFormats =
        [IamReportFormat.Text, IamReportFormat.Json, IamReportFormat.Csv, IamReportFormat.Markdown, IamReportFormat.Html];

    /// <summary>30 users whose keys are 100..129 days old (1.14 fails for each), a few with more failures.</summary>
    internal static IamComplianceReport ManyUsers(int users = 30) => IamReportBuilder.Build(
        Enumerable.Range(0, users).Aggregate(new ReportCsv().Root(), (csv, i) => csv.User($"svc-{i:D2}", row =>
        {
            ReportCsv.Key(row, 1, 100 + i, 1);
            if (i % 10 == 0) ReportCsv.ConsoleUser(row, mfa: false);   // 1.10 (high) and 1.11-free: the key is used
        })).Parse(),
        new AccountInputs(PasswordPolicyLookup.NoPolicy),
        new CisOptions(),
        ReportCsv.Now);

    private static string Render(IamComplianceReport report, IamReportFormat format) => IamReportWriters.Render(report, format);

    [Fact]
    public void Every_format_puts_the_summary_and_the_chart_before_any_result_row()
    {
        var report = IamReportOutputTests.SampleReport();

        var text = Render(report, IamReportFormat.Text);
        int firstRow = Regex.Match(text, @"(?m)^(critical|high|medium|low)\s+(fail|not_evaluated)\s").Index;
        Assert.True(firstRow > 0);
        Assert.InRange(text.IndexOf("Failures by severity:", StringComparison.Ordinal), 1, firstRow);
        Assert.InRange(text.IndexOf("Per control:", StringComparison.Ordinal), 1, firstRow);
        Assert.InRange(text.IndexOf("Active access keys by age", StringComparison.Ordinal), 1, firstRow);

        var markdown = Render(report, IamReportFormat.Markdown);
        int firstMarkdownRow = markdown.IndexOf("| critical | fail |", StringComparison.Ordinal);
        Assert.True(firstMarkdownRow > 0);
        Assert.InRange(markdown.IndexOf("## Controls", StringComparison.Ordinal), 1, firstMarkdownRow);
        Assert.InRange(markdown.IndexOf("## Active access keys by age", StringComparison.Ordinal), 1, firstMarkdownRow);

        var html = Render(report, IamReportFormat.Html);
        int firstHtmlRow = html.IndexOf("<section id=\"findings\">", StringComparison.Ordinal);
        Assert.True(firstHtmlRow > 0);
        Assert.InRange(html.IndexOf("class=\"cards\"", StringComparison.Ordinal), 1, firstHtmlRow);
        Assert.InRange(html.IndexOf("<svg class=\"age-chart\"", StringComparison.Ordinal), 1, firstHtmlRow);
        Assert.InRange(html.IndexOf("<table id=\"controls\">", StringComparison.Ordinal), 1, firstHtmlRow);

        using var json = JsonDocument.Parse(Render(report, IamReportFormat.Json));
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.True(names.IndexOf("summary") < names.IndexOf("results"), string.Join(",", names));

        var statuses = CsvStatuses(Render(report, IamReportFormat.Csv));
        int summaryRows = report.Summary.Controls.Count + report.Summary.KeyAgeDistribution.Count;
        Assert.All(statuses.Take(summaryRows), s => Assert.Equal(CsvIamReportWriter.SummaryStatus, s));
        Assert.DoesNotContain(CsvIamReportWriter.SummaryStatus, statuses.Skip(summaryRows));
        Assert.Equal(report.Results.Count, statuses.Count - summaryRows);
    }

    [Fact]
    public void The_html_chart_has_a_css_bar_per_control_sized_by_its_failing_share()
    {
        var report = ManyUsers();
        var html = Render(report, IamReportFormat.Html);

        var rotation = report.Summary.Controls.Single(c => c.Control == CisControls.KeyRotation);
        int share = (int)Math.Round(100.0 * rotation.Fail / (rotation.Pass + rotation.Fail));
        Assert.Contains($"<span class=\"fail-bar\" style=\"width:{share}%\" data-share=\"{share}\">", html);
        Assert.Equal(report.Summary.Controls.Count, Regex.Matches(html, "class=\"fail-bar\"").Count);
        Assert.DoesNotMatch(new Regex("(?i)(https?:|//[a-z]|<script|<link|@import|url\\()"), html);
    }

    [Fact]
    public void Failures_are_grouped_by_control_and_by_user_in_every_format()
    {
        var report = ManyUsers();
        int rotationFailures = report.Failures.Count(r => r.Control == CisControls.KeyRotation);
        Assert.Equal(30, rotationFailures);

        // Text: one heading per control, then only that control's rows; one line per user.
        var text = Render(report, IamReportFormat.Text);
        var lines = text.Split('\n');
        int heading = Array.FindIndex(lines, l => l.StartsWith("1.14 (v5 1.13) ", StringComparison.Ordinal));
        Assert.True(heading > 0, text);
        Assert.Contains("30 failing", lines[heading]);
        var rows = lines.Skip(heading + 2).TakeWhile(l => l.Length > 0 && !l.StartsWith('(')).ToList();
        Assert.Equal(30, rows.Count);
        Assert.All(rows, row => Assert.Matches(@"^medium\s+fail\s+1\.14\s+1\.13\s+svc-\d\d\s", row));
        Assert.StartsWith("svc-29", rows[0].Split("  ", StringSplitOptions.RemoveEmptyEntries)[4].Trim());   // oldest key first
        Assert.Contains("Failures by user (30 users):", text);
        var svc00 = lines.Single(l => l.StartsWith("svc-00 ", StringComparison.Ordinal));
        Assert.Matches(@"^svc-00\s+2\s+high\s+1\.10, 1\.14 key 1$", svc00);
        // The worst user (a high failure) comes before every medium-only user.
        Assert.True(Array.IndexOf(lines, svc00) < Array.FindIndex(lines, l => l.StartsWith("svc-29 ", StringComparison.Ordinal) && l.Contains("medium")));

        // JSON: the same groups, counted.
        using var json = JsonDocument.Parse(Render(report, IamReportFormat.Json));
        var byControl = json.RootElement.GetProperty("failuresByControl").EnumerateArray().ToList();
        var rotation = byControl.Single(g => g.GetProperty("control").GetString() == "1.14");
        Assert.Equal(30, rotation.GetProperty("fail").GetInt32());
        // Without --top, JSON's groups keep the 10 worst: "results" already lists every one.
        Assert.Equal(JsonIamReportWriter.DefaultTop, rotation.GetProperty("worst").GetArrayLength());
        Assert.Equal(20, rotation.GetProperty("more").GetInt32());
        Assert.Equal(report.Findings.Count(), byControl.Sum(g => g.GetProperty("fail").GetInt32() + g.GetProperty("notEvaluated").GetInt32()));
        var byUser = json.RootElement.GetProperty("failuresByUser").EnumerateArray().ToList();
        Assert.Equal(10, byUser.Count);
        Assert.Equal(20, json.RootElement.GetProperty("moreUsers").GetInt32());
        Assert.Equal(["svc-00", "svc-10", "svc-20"], byUser.Take(3).Select(u => u.GetProperty("user").GetString()));
        Assert.All(byUser.Take(3), u => Assert.Equal("high", u.GetProperty("worstSeverity").GetString()));
        Assert.Equal(["1.10", "1.14"], byUser[0].GetProperty("controls").EnumerateArray().Select(c => c.GetString()));

        // Markdown and HTML: a section per control and a table of users.
        var markdown = Render(report, IamReportFormat.Markdown);
        Assert.Contains("### 1.14 (v5 1.13) ", markdown);
        Assert.Contains("## Failures by user (30 users)", markdown);
        var html = Render(report, IamReportFormat.Html);
        Assert.Matches("<details class=\"group\" data-control=\"1\\.14\"", html);
        Assert.Equal(30, Regex.Matches(html, "<tr><td><code title=\"arn:aws:iam::111122223333:user/svc-\\d\\d\">svc-\\d\\d</code></td><td class=\"num\">\\d</td>").Count);
    }

    [Fact]
    public void Top_lists_the_n_worst_of_each_control_and_counts_the_rest()
    {
        var report = ManyUsers() with { Top = 3 };

        var text = Render(report, IamReportFormat.Text);
        var lines = text.Split('\n');
        int heading = Array.FindIndex(lines, l => l.StartsWith("1.14 (v5 1.13) ", StringComparison.Ordinal));
        Assert.Contains("30 failing", lines[heading]);   // the heading counts them all
        var rows = lines.Skip(heading + 2).Take(3).ToList();
        Assert.Equal(["svc-29", "svc-28", "svc-27"], rows.Select(r => Regex.Split(r, @"\s{2,}")[4]));   // the oldest keys
        Assert.StartsWith("  … and 27 more of this control", lines[heading + 5]);
        Assert.Contains("  … and 27 more users", text);

        using var json = JsonDocument.Parse(Render(report, IamReportFormat.Json));
        Assert.Equal(3, json.RootElement.GetProperty("top").GetInt32());
        var rotation = json.RootElement.GetProperty("failuresByControl").EnumerateArray().Single(g => g.GetProperty("control").GetString() == "1.14");
        Assert.Equal(["svc-29", "svc-28", "svc-27"], rotation.GetProperty("worst").EnumerateArray().Select(w => w.GetProperty("user").GetString()));
        Assert.Equal(27, rotation.GetProperty("more").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("failuresByUser").GetArrayLength());
        Assert.Equal(27, json.RootElement.GetProperty("moreUsers").GetInt32());
        Assert.Equal(report.Results.Count, json.RootElement.GetProperty("results").GetArrayLength());   // data formats keep every result

        var markdown = Render(report, IamReportFormat.Markdown);
        Assert.Contains("… and 27 more of this control", markdown);
        var html = Render(report, IamReportFormat.Html);
        Assert.Contains("<p class=\"more\">… and 27 more of this control", html);
        Assert.Equal(3, Regex.Matches(html, "<code title=\"arn:aws:iam::111122223333:user/svc-\\d\\d\">svc-\\d\\d</code></td><td class=\"num\">1</td><td class=\"num\">").Count);
    }

    [Fact]
    public void Summary_only_lists_no_result_rows_in_any_format()
    {
        var full = ManyUsers();
        var report = full with { SummaryOnly = true };

        foreach (var format in AllFormats)
        {
            var output = Render(report, format);
            Assert.DoesNotContain("svc-1", output);   // no row names a user
            Assert.True(output.Length < Render(full, format).Length / 2, $"{format}: {output.Length} bytes");
        }
        Assert.Contains("Per control:", Render(report, IamReportFormat.Text));
        Assert.Equal(40, report.Summary.Fail);   // 30 old keys, 3 console users without MFA, 7 password-policy clauses (no policy)
        Assert.Contains("(--summary-only: 40 failing and 1 not evaluated results not listed)", Render(report, IamReportFormat.Text));
        using var json = JsonDocument.Parse(Render(report, IamReportFormat.Json));
        Assert.True(json.RootElement.GetProperty("summaryOnly").GetBoolean());
        Assert.False(json.RootElement.TryGetProperty("results", out _));
        Assert.Equal(40, json.RootElement.GetProperty("summary").GetProperty("fail").GetInt32());
        Assert.All(CsvStatuses(Render(report, IamReportFormat.Csv)), s => Assert.Equal(CsvIamReportWriter.SummaryStatus, s));
        Assert.Contains("<svg class=\"age-chart\"", Render(report, IamReportFormat.Html));
    }

    [Fact]
    public void Counts_have_thousands_separators_like_the_evidence()
    {
        var report = ManyUsers(1_200);
        Assert.Equal(1_200, report.Summary.Users);
        Assert.Contains("1,200 users; 1,327 failing", Render(report, IamReportFormat.Text));
        Assert.Contains("<span class=\"n\">1,200</span>users", Render(report, IamReportFormat.Html));
        Assert.Contains("1,200 users; **1,327 failing**", Render(report, IamReportFormat.Markdown));
        Assert.Contains("… and 1,190 more of this control", Render(report with { Top = 10 }, IamReportFormat.Text));
    }

    private static List<string> CsvStatuses(string csv)
    {
        using var reader = CsvReader.Create(System.Text.Encoding.UTF8.GetBytes(csv), CsvReaderOptions.Default with { Separator = ',' });
        var statuses = new List<string>();
        while (reader.Read()) statuses.Add(reader.GetString(5));
        return statuses;
    }
}
