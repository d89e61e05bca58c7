using System.Text.Json;
using Xunit;

namespace KeyGuard.Tests.Audit;

/// <summary>`keyguard report` as a user runs it: a real process, real files, real exit codes.</summary>
public class ReportCliTests : IDisposable
{
    private const string Now = "2026-11-28T10:00:00Z";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Only medium failures: a key older than 90 days.</summary>
    private string MediumOnlyReport() => _dir.File("medium.csv",
        new ReportCsv().Root().User("svc", row => ReportCsv.Key(row, 1, 200, 1)).ToCsv());

    /// <summary>A critical failure: root has an access key.</summary>
    private string CriticalReport() => _dir.File("critical.csv",
        new ReportCsv().Root(row => ReportCsv.Key(row, 1, 20, 3)).ToCsv());

    [Fact]
    public void Text_output_and_exit_0_without_fail_on()
    {
        var run = CliProcess.Run("report", "--from", CriticalReport(), "--now", Now);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("critical  fail", run.StdOut);
        Assert.Contains("root has active access key 1", run.StdOut);
        Assert.Equal("", run.StdErr);
    }

    [Theory]
    [InlineData("critical", 1)]
    [InlineData("high", 1)]
    [InlineData("medium", 1)]
    public void Fail_on_exits_1_for_a_critical_failure(string threshold, int expected) =>
        Assert.Equal(expected, CliProcess.Run("report", "--from", CriticalReport(), "--now", Now, "--fail-on", threshold).ExitCode);

    [Theory]
    [InlineData("critical", 0)]
    [InlineData("high", 0)]
    [InlineData("medium", 1)]
    public void Fail_on_ignores_failures_below_the_threshold(string threshold, int expected) =>
        Assert.Equal(expected, CliProcess.Run("report", "--from", MediumOnlyReport(), "--now", Now, "--fail-on", threshold).ExitCode);

    [Fact]
    public void Threshold_options_change_the_verdict()
    {
        var report = MediumOnlyReport();
        Assert.Equal(1, CliProcess.Run("report", "--from", report, "--now", Now, "--fail-on", "medium").ExitCode);
        // The key is 200 days old and was used yesterday: with a 365-day limit nothing fails.
        Assert.Equal(0, CliProcess.Run("report", "--from", report, "--now", Now, "--fail-on", "medium", "--max-key-age", "365").ExitCode);
    }

    [Fact]
    public void Json_goes_to_the_output_file()
    {
        var output = _dir.File("out.json");
        var run = CliProcess.Run("report", "--from", MediumOnlyReport(), "--now", Now, "--format", "json", "--output", output);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.StdOut);
        using var json = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
        Assert.Contains(json.RootElement.GetProperty("results").EnumerateArray(),
            r => r.GetProperty("user").GetString() == "svc" && r.GetProperty("control").GetString() == "1.14"
                 && r.GetProperty("status").GetString() == "fail");
    }

    [Fact]
    public void Password_policy_file_feeds_controls_1_8_and_1_9()
    {
        var policy = _dir.File("policy.json", """{"PasswordPolicy":{"MinimumPasswordLength":8,"PasswordReusePrevention":24}}""");
        var run = CliProcess.Run("report", "--from", MediumOnlyReport(), "--now", Now, "--format", "csv", "--password-policy", policy);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("<account>,arn:aws:iam::111122223333:root,1.8,1.7,", run.StdOut);
        Assert.Contains("password policy minimum length is 8 (required 14 or more)", run.StdOut);
    }

    [Fact]
    public void A_missing_file_is_one_line_naming_it_and_exit_2()
    {
        var missing = Path.Combine(_dir.Path, "nope.csv");
        var run = CliProcess.Run("report", "--from", missing);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"keyguard: cannot read credential report '{missing}'", run.StdErr);
        Assert.Single(run.StdErr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void A_malformed_report_names_the_file_and_row_and_exits_2()
    {
        var bad = _dir.File("bad.csv", new ReportCsv().Root().User("bob", row => row["user_creation_time"] = "yesterday").ToCsv());
        var run = CliProcess.Run("report", "--from", bad);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"keyguard: {bad}: credential report row 3 (user 'bob'): user_creation_time 'yesterday' is not a date", run.StdErr.TrimEnd());
    }

    [Fact]
    public void A_bad_password_policy_file_names_the_file_and_exits_2()
    {
        var policy = _dir.File("policy.json", "{not json");
        var run = CliProcess.Run("report", "--from", MediumOnlyReport(), "--password-policy", policy);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"keyguard: password policy '{policy}': not valid JSON", run.StdErr);
    }

    [Fact]
    public void Html_output_file_is_a_self_contained_page()
    {
        var output = _dir.File("report.html");
        var run = CliProcess.Run("report", "--from", CriticalReport(), "--now", Now, "--format", "html", "-o", output);

        Assert.Equal(0, run.ExitCode);
        var html = File.ReadAllText(output);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<svg class=\"age-chart\"", html);
        Assert.DoesNotMatch("(?i)https?:|<script|<link", html);
    }

    [Fact]
    public void An_unknown_format_is_a_usage_error() =>
        Assert.Equal(2, CliProcess.Run("report", "--from", MediumOnlyReport(), "--format", "pdf").ExitCode);
}
