using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;
using KeyGuard.Compliance;
using KeyGuard.Reporting.Iam;
using Xunit;
using KeyGuard.Findings;

namespace KeyGuard.Tests.Audit;

public class IamReportOutputTests
{
    internal static IamComplianceReport SampleReport() => IamReportBuilder.Build(
        new ReportCsv()
            .Root(row => ReportCsv.Key(row, 1, 400, 0))
            .User("alice", row => { ReportCsv.ConsoleUser(row); ReportCsv.Key(row, 1, 10, 1); })
            .User("bob", row => { ReportCsv.ConsoleUser(row, mfa: false, lastUsed: "no_information"); ReportCsv.Key(row, 1, 100, null); })
            .User("deploy-bot", row => { ReportCsv.Key(row, 1, 2006, 1); ReportCsv.Key(row, 2, 44, null); })
            .User("ops|team", row => ReportCsv.Key(row, 1, 200, 100))
            .User("=cmd", row => ReportCsv.Key(row, 1, 10, 1))
            .Parse(),
        new AccountInputs(PasswordPolicyLookup.NoPolicy),
        new CisOptions(),
        ReportCsv.Now);

    [Fact]
    public void Json_keeps_the_contract_field_names()
    {
        using var json = JsonDocument.Parse(IamReportWriters.Render(SampleReport(), IamReportFormat.Json));
        var root = json.RootElement;

        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal("2026-11-28T09:00:00Z", root.GetProperty("generated").GetString());
        var account = Assert.Single(results0Arns(root)).Split(':')[4];
        Assert.Equal(account, root.GetProperty("account").GetString());   // the account is named (aws-e2e: it never was)
        foreach (var format in new[] { IamReportFormat.Text, IamReportFormat.Markdown, IamReportFormat.Html })
            Assert.Contains($"KeyGuard IAM credential report for account {account}", IamReportWriters.Render(SampleReport(), format));
        var results = root.GetProperty("results");
        Assert.True(results.GetArrayLength() > 10);
        foreach (var result in results.EnumerateArray())
            foreach (var name in new[] { "user", "arn", "control", "controlV5", "title", "status", "severity", "evidence" })
                Assert.Equal(JsonValueKind.String, result.GetProperty(name).ValueKind);

        var first = results[0];
        Assert.Equal("<root_account>", first.GetProperty("user").GetString());
        Assert.Equal("1.4", first.GetProperty("control").GetString());
        Assert.Equal("1.3", first.GetProperty("controlV5").GetString());
        Assert.Equal("fail", first.GetProperty("status").GetString());
        Assert.Equal("critical", first.GetProperty("severity").GetString());
        Assert.Equal(1, first.GetProperty("keySlot").GetInt32());

        var summary = root.GetProperty("summary");
        Assert.Equal(CisControls.All.Count, summary.GetProperty("controls").GetArrayLength());   // no baseline offline
        Assert.Equal(1, summary.GetProperty("failuresBySeverity").GetProperty("critical").GetInt32());
        Assert.Equal(2, summary.GetProperty("failuresBySeverity").GetProperty("high").GetInt32());
        var buckets = summary.GetProperty("keyAgeDistribution").EnumerateArray()
            .Select(b => (b.GetProperty("bucket").GetString(), b.GetProperty("count").GetInt32())).ToList();
        Assert.Equal([("0-30", 2), ("31-90", 1), ("91-180", 1), ("181-365", 1), (">365", 2)], buckets);
    }

    [Theory]
    [InlineData(nameof(IamReportFormat.Text))]
    [InlineData(nameof(IamReportFormat.Json))]
    [InlineData(nameof(IamReportFormat.Csv))]
    [InlineData(nameof(IamReportFormat.Markdown))]
    [InlineData(nameof(IamReportFormat.Html))]
    public void Every_format_is_deterministic(string name)
    {
        var format = Enum.Parse<IamReportFormat>(name);
        Assert.Equal(IamReportWriters.Render(SampleReport(), format), IamReportWriters.Render(SampleReport(), format));
    }

    [Fact]
    public void Csv_has_one_row_per_result_and_reads_back()
    {
        var report = SampleReport();
        var csv = IamReportWriters.Render(report, IamReportFormat.Csv);

        using var reader = CsvReader.Create(System.Text.Encoding.UTF8.GetBytes(csv), CsvReaderOptions.Default with { Separator = ',' });
        Assert.Equal(CsvIamReportWriter.Header, reader.Headers.ToArray());
        var rows = 0;
        while (reader.Read())
        {
            if (reader.GetString(5) == CsvIamReportWriter.SummaryStatus) continue;   // the summary rows that open the file
            var result = report.Results[rows++];
            // Formula escaping puts a ' before a name that starts with =.
            Assert.Equal(result.User.StartsWith('=') ? "'" + result.User : result.User, reader.GetString(0));
            Assert.Equal(result.Evidence, reader.GetString(7));
        }
        Assert.Equal(report.Results.Count, rows);
    }

    [Fact]
    public void Csv_escapes_user_names_a_spreadsheet_would_run_as_formulas()
    {
        var csv = IamReportWriters.Render(SampleReport(), IamReportFormat.Csv);

        Assert.Contains("\n\"'=cmd\",", csv);
        Assert.DoesNotContain("\n=cmd,", csv);
    }

    [Fact]
    public void Text_lists_findings_by_risk_and_the_age_buckets()
    {
        var text = IamReportWriters.Render(SampleReport(), IamReportFormat.Text);
        var lines = text.Split('\n');

        var firstFinding = lines.First(l => l.StartsWith("critical"));
        Assert.Contains("<root_account>", firstFinding);
        Assert.Contains("access key 1 last rotated 2021-06-01 (2,006 days ago; limit 90)", text);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\s+>365\s+2\s+#+$"));
        Assert.Contains("Per control:", text);
    }

    [Fact]
    public void Markdown_escapes_pipes_and_angle_brackets()
    {
        var markdown = IamReportWriters.Render(SampleReport(), IamReportFormat.Markdown);

        Assert.Contains("| `ops\\|team` |", markdown);
        Assert.Contains("| `<root_account>` |", markdown);   // inside a code span < and > are literal
        Assert.DoesNotContain("&lt;root_account&gt;`", markdown);
        Assert.Contains("| 1.14 | 1.13 |", markdown);
    }

    [Fact]
    public void Html_is_self_contained_with_an_svg_chart_and_no_urls()
    {
        var html = IamReportWriters.Render(SampleReport(), IamReportFormat.Html);

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<svg", html);
        Assert.Equal(5, Regex.Matches(html, "<rect class=\"bar\"").Count);
        Assert.Contains("<section id=\"findings\">", html);
        Assert.Contains("&lt;root_account&gt;", html);
        Assert.Contains("default-src 'none'", html);
        Assert.DoesNotMatch(new Regex("(?i)(https?:|//[a-z]|<script|<link|@import|url\\()"), html);
    }

    [Fact]
    public void Severity_threshold_comparison_matches_fail_on_semantics()
    {
        var report = SampleReport();
        Assert.True(report.HasFailureAtOrAbove(Severity.Critical));
        var mediumOnly = IamReportBuilder.Build(new ReportCsv().Root().User("svc", row => ReportCsv.Key(row, 1, 200, 1)).Parse(),
            AccountInputs.None, new CisOptions(), ReportCsv.Now);
        Assert.False(mediumOnly.HasFailureAtOrAbove(Severity.High));
        Assert.True(mediumOnly.HasFailureAtOrAbove(Severity.Medium));
        Assert.Equal(Severity.Medium, SeverityText.Parse("MEDIUM"));
        Assert.Throws<InvalidInputException>(() => SeverityText.Parse("urgent"));
    }

    private static IEnumerable<string> results0Arns(JsonElement root) =>
        root.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("arn").GetString()!)
            .Where(a => a.StartsWith("arn:", StringComparison.Ordinal)).Select(a => string.Join(':', a.Split(':').Take(5))).Distinct();
}
