using KeyGuard.CredentialReport;
using Xunit;

namespace KeyGuard.Tests.Audit;

/// <summary>
/// Credential-report dates after the report was generated, or before AWS existed (reliability B31, case 3.50), are
/// errors naming the row, user and column, not "rotated today / pass".
/// </summary>
public sealed class ImplausibleDateTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The review's report: a key "last rotated" 9999-12-31 and a user created 0001-01-01.</summary>
    private static string ReviewReport(string rotated = "9999-12-31", string created = "0001-01-01") =>
        new ReportCsv().Root().User("deploy-bot", row =>
        {
            ReportCsv.Key(row, 1, 10, 1);
            row["access_key_1_last_rotated"] = rotated;
            row["user_creation_time"] = created;
        }).ToCsv();

    [Theory]
    [InlineData("9999-12-31", "2020-01-01", "access_key_1_last_rotated '9999-12-31' is in the future")]
    [InlineData("2026-11-30T10:00:00+00:00", "2020-01-01", "access_key_1_last_rotated '2026-11-30T10:00:00+00:00' is in the future")]
    [InlineData("2026-11-01", "0001-01-01", "user_creation_time '0001-01-01' is before 2006")]
    [InlineData("2026-11-01", "1999-12-31T23:59:59+00:00", "user_creation_time '1999-12-31T23:59:59+00:00' is before 2006")]
    public void An_implausible_date_names_its_row_user_and_column(string rotated, string created, string expected)
    {
        var e = Assert.Throws<CredentialReportFormatException>(() => CredentialReportParser.Parse(ReviewReport(rotated, created), ReportCsv.Now));
        Assert.StartsWith("credential report row 3 (user 'deploy-bot'): ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Dates_up_to_a_day_ahead_and_a_password_rotation_due_later_are_accepted()
    {
        var csv = new ReportCsv().Root().User("alice", row =>
        {
            ReportCsv.ConsoleUser(row);
            row["password_next_rotation"] = ReportCsv.Now.AddDays(60).ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'");
            ReportCsv.Key(row, 1, 10, 1);
            row["access_key_1_last_rotated"] = ReportCsv.Now.AddHours(20).ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'"); // clock skew
            row["user_creation_time"] = "2006-03-14T00:00:00+00:00";
        }).ToCsv();

        var alice = CredentialReportParser.Parse(csv, ReportCsv.Now).Rows.Single(r => r.User == "alice");

        Assert.Equal(ReportCsv.Now.AddDays(60), alice.PasswordNextRotation.Value);
    }

    [Fact]
    public void Report_from_a_file_with_a_future_rotation_exits_2_with_one_line()
    {
        var file = _dir.File("future.csv", ReviewReport(created: "2020-01-01T00:00:00+00:00"));

        var run = CliProcess.Run("report", "--from", file, "--now", "2026-11-28T10:00:00Z", "--format", "json");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.StdOut);
        var line = Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("future.csv", line);
        Assert.Contains("row 3 (user 'deploy-bot'): access_key_1_last_rotated '9999-12-31' is in the future", line);
    }
}
