using System.Text;
using KeyGuard.CredentialReport;
using Xunit;

namespace KeyGuard.Tests.Audit;

public class CredentialReportParserTests
{
    private static readonly DateTimeOffset Generated = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    // The synthetic sample of aws-iam.md §3, verbatim.
    private const string DocSample =
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n" +
        "<root_account>,arn:aws:iam::111122223333:root,2019-03-04T09:15:22+00:00,not_supported,2026-10-02T14:03:11+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n" +
        "alice,arn:aws:iam::111122223333:user/alice,2023-01-05T10:11:12+00:00,true,2026-11-20T08:00:00+00:00,2026-09-01T12:00:00+00:00,N/A,true,true,2026-09-01T12:05:00+00:00,2026-11-25T16:40:00+00:00,N/A,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n" +
        "deploy-bot,arn:aws:iam::111122223333:user/ci/deploy-bot,2021-06-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2021-06-01T00:02:10+00:00,2026-11-27T03:14:15+00:00,eu-west-1,ecr,true,2026-10-15T09:30:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A\n" +
        "bob,arn:aws:iam::111122223333:user/bob,2026-08-10T11:00:00+00:00,true,no_information,2026-08-10T11:00:00+00:00,2026-11-08T11:00:00+00:00,false,true,2026-08-10T11:00:05+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n" +
        "old-intern,arn:aws:iam::111122223333:user/old-intern,2024-02-01T08:00:00+00:00,false,N/A,N/A,N/A,false,false,2024-02-01T08:01:00+00:00,2025-05-12T10:22:00+00:00,us-west-2,sts,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";

    [Fact]
    public void Parses_the_documented_sample_with_every_special_value()
    {
        var report = CredentialReportParser.Parse(DocSample, Generated);

        Assert.True(report.HasLastUsedColumns);
        Assert.Equal(5, report.Rows.Count);
        Assert.Equal(Generated, report.GeneratedAt);

        var root = Assert.Single(report.Rows, r => r.IsRoot);
        Assert.Same(root, report.Root);
        Assert.Null(root.PasswordEnabled);                                   // not_supported
        Assert.Equal(ReportValueKind.NotSupported, root.PasswordLastChanged.Kind);
        Assert.Equal(ReportValueKind.NotSupported, root.PasswordNextRotation.Kind);
        Assert.Equal(new DateTimeOffset(2026, 10, 2, 14, 3, 11, TimeSpan.Zero), root.PasswordLastUsed.Value);
        Assert.Equal(ReportValueKind.NotApplicable, root.AccessKey1.LastRotated.Kind);
        Assert.Equal(2, root.RowNumber);

        var alice = report.Rows.Single(r => r.User == "alice");
        Assert.True(alice.PasswordEnabled);
        Assert.True(alice.MfaActive);
        Assert.Null(alice.AccessKey1.LastUsedRegion);                        // N/A region (S3 is global)
        Assert.Equal("s3", alice.AccessKey1.LastUsedService);
        Assert.Equal(ReportValueKind.NotApplicable, alice.PasswordNextRotation.Kind);

        var bob = report.Rows.Single(r => r.User == "bob");
        Assert.Equal(ReportValueKind.NoInformation, bob.PasswordLastUsed.Kind);
        Assert.Equal(ReportValueKind.NotApplicable, bob.AccessKey1.LastUsedDate.Kind);
        Assert.Equal(new DateTimeOffset(2026, 11, 8, 11, 0, 0, TimeSpan.Zero), bob.PasswordNextRotation.Value);

        var bot = report.Rows.Single(r => r.User == "deploy-bot");
        Assert.Equal("arn:aws:iam::111122223333:user/ci/deploy-bot", bot.Arn);
        Assert.Equal(2, bot.ActiveAccessKeys.Count());
        Assert.Equal("eu-west-1", bot.AccessKey1.LastUsedRegion);
        Assert.Equal("ecr", bot.AccessKey1.LastUsedService);

        var intern = report.Rows.Single(r => r.User == "old-intern");
        Assert.False(intern.AccessKey1.Active);
        Assert.Equal(new DateTimeOffset(2025, 5, 12, 10, 22, 0, TimeSpan.Zero), intern.AccessKey1.LastUsedDate.Value);
    }

    [Fact]
    public void Accepts_the_older_16_column_format()
    {
        var csv = new ReportCsv().Root().User("carol", row => ReportCsv.Key(row, 1, 10, 1)).ToCsv(oldFormat: true);
        Assert.Equal(16, csv.Split('\n')[0].Split(',').Length);

        var report = CredentialReportParser.Parse(csv, Generated);

        Assert.False(report.HasLastUsedColumns);
        var carol = report.Rows.Single(r => r.User == "carol");
        Assert.True(carol.AccessKey1.Active);
        Assert.Equal(ReportValueKind.ColumnAbsent, carol.AccessKey1.LastUsedDate.Kind);
        Assert.Null(carol.AccessKey1.LastUsedService);
    }

    [Fact]
    public void Finds_columns_by_name_not_position()
    {
        // Same data, columns in reverse order.
        var columns = ReportCsv.Columns22.Reverse().ToArray();
        var values = new Dictionary<string, string>
        {
            ["user"] = "dave", ["arn"] = "arn:aws:iam::111122223333:user/dave", ["user_creation_time"] = "2025-01-01T00:00:00+00:00",
            ["password_enabled"] = "true", ["password_last_used"] = "2026-11-01T00:00:00+00:00", ["password_last_changed"] = "2025-01-01T00:00:00+00:00",
            ["password_next_rotation"] = "N/A", ["mfa_active"] = "true",
        };
        var line = string.Join(',', columns.Select(c => values.TryGetValue(c, out var v) ? v : c.EndsWith("_active") ? "false" : "N/A"));

        var report = CredentialReportParser.Parse(string.Join(',', columns) + "\n" + line + "\n", Generated);

        var dave = Assert.Single(report.Rows);
        Assert.Equal("dave", dave.User);
        Assert.True(dave.PasswordEnabled);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), dave.PasswordLastUsed.Value);
    }

    [Theory]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("true", true)]
    [InlineData("FALSE", false)]
    [InlineData("False", false)]
    public void Booleans_ignore_case(string text, bool expected)
    {
        var csv = new ReportCsv().User("erin", row => { row["mfa_active"] = text; row["password_enabled"] = text; }).ToCsv();

        var erin = Assert.Single(CredentialReportParser.Parse(csv, Generated).Rows);

        Assert.Equal(expected, erin.MfaActive);
        Assert.Equal(expected, erin.PasswordEnabled);
    }

    [Fact]
    public void Tolerates_bom_crlf_and_missing_or_extra_trailing_newlines()
    {
        var csv = new ReportCsv().Root().User("frank").ToCsv(newline: "\r\n");
        var withBom = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv + "\r\n")).ToArray();
        var withoutTrailingNewline = Encoding.UTF8.GetBytes(csv.TrimEnd());

        Assert.Equal(2, CredentialReportParser.Parse(withBom, Generated).Rows.Count);
        Assert.Equal(2, CredentialReportParser.Parse(withoutTrailingNewline, Generated).Rows.Count);
        Assert.Equal(2, CredentialReportParser.Parse("\uFEFF" + csv, Generated).Rows.Count);
    }

    [Fact]
    public void Accepts_a_date_or_NA_for_an_inactive_key()
    {
        var csv = new ReportCsv()
            .User("gina", row => ReportCsv.Key(row, 1, 100, 50, active: false))
            .User("hank", row => row["access_key_1_active"] = "false")
            .ToCsv();

        var rows = CredentialReportParser.Parse(csv, Generated).Rows;

        Assert.True(rows[0].AccessKey1.LastRotated.HasValue);
        Assert.Equal(ReportValueKind.NotApplicable, rows[1].AccessKey1.LastRotated.Kind);
    }

    [Fact]
    public void A_bad_date_names_the_row_the_user_and_the_column()
    {
        var csv = new ReportCsv().Root().User("alice").User("bob", row =>
        {
            row["access_key_1_active"] = "true";
            row["access_key_1_last_rotated"] = "yesterday";
        }).ToCsv();

        var e = Assert.Throws<CredentialReportFormatException>(() => CredentialReportParser.Parse(csv, Generated));

        Assert.Equal("credential report row 4 (user 'bob'): access_key_1_last_rotated 'yesterday' is not a date", e.Message);
    }

    [Fact]
    public void A_bad_boolean_names_the_row()
    {
        var csv = new ReportCsv().User("ivan", row => row["mfa_active"] = "yes").ToCsv();

        var e = Assert.Throws<CredentialReportFormatException>(() => CredentialReportParser.Parse(csv, Generated));

        Assert.Equal("credential report row 2 (user 'ivan'): mfa_active 'yes' is not true or false", e.Message);
    }

    [Fact]
    public void A_short_row_names_the_row()
    {
        var csv = new ReportCsv().Root().User("judy").ToCsv();
        var lines = csv.Split('\n');
        lines[2] = string.Join(',', lines[2].Split(',').Take(10));

        var e = Assert.Throws<CredentialReportFormatException>(() => CredentialReportParser.Parse(string.Join('\n', lines), Generated));

        Assert.Equal("credential report row 3 (user 'judy'): has 10 fields but the header has 22", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_credential_report_is_rejected_by_its_header()
    {
        var e = Assert.Throws<CredentialReportFormatException>(() =>
            CredentialReportParser.Parse("name,email\nx,y\n", Generated));

        Assert.StartsWith("credential report header (row 1) lacks column(s) user, arn,", e.Message);
    }

    [Fact]
    public void An_empty_file_is_rejected()
    {
        var e = Assert.Throws<CredentialReportFormatException>(() => CredentialReportParser.Parse("", Generated));
        Assert.Equal("credential report is empty (no header row)", e.Message);
    }

    [Fact]
    public void Half_of_the_last_used_columns_is_rejected()
    {
        var header = string.Join(',', ReportCsv.Columns22.Where(c => c != "access_key_2_last_used_service"));

        var e = Assert.Throws<CredentialReportFormatException>(() => CredentialReportParser.Parse(header + "\n", Generated));

        Assert.Contains("missing access_key_2_last_used_service", e.Message);
    }

    [Fact]
    public void Broken_quoting_is_a_named_error_not_a_misread()
    {
        var csv = new ReportCsv().Root().User("liz").ToCsv().Replace("liz,", "li\"z,");

        var e = Assert.Throws<CredentialReportFormatException>(() => CredentialReportParser.Parse(csv, Generated));

        Assert.StartsWith("credential report row 3: not valid CSV", e.Message);
    }

    [Fact]
    public void Quoted_fields_are_unquoted_by_the_csv_reader()
    {
        var csv = new ReportCsv().User("kim").ToCsv().Replace("arn:aws:iam::111122223333:user/kim", "\"arn:aws:iam::111122223333:user/kim\"");

        Assert.Equal("arn:aws:iam::111122223333:user/kim", Assert.Single(CredentialReportParser.Parse(csv, Generated).Rows).Arn);
    }
}
