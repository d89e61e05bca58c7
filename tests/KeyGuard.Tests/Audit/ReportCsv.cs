using System.Text;
using KeyGuard.CredentialReport;

namespace KeyGuard.Tests.Audit;

/// <summary>Builds synthetic credential reports (account 111122223333) row by row, with healthy defaults.</summary>
internal sealed class ReportCsv
{
    public const string Account = "111122223333";
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    public static readonly string[] Columns22 =
    [
        "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
        "password_next_rotation", "mfa_active",
        "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
        "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
        "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
    ];

    public static readonly string[] Columns16 = Columns22.Where(c => !c.Contains("_last_used_")).ToArray();

    private readonly List<Dictionary<string, string>> _rows = [];

    /// <summary>"2026-11-18T10:00:00+00:00" for DaysAgo(10).</summary>
    public static string DaysAgo(int days) => Now.AddDays(-days).ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'");

    /// <summary>A root row with MFA, no keys and a password last used 30 days ago.</summary>
    public ReportCsv Root(Action<Dictionary<string, string>>? edit = null)
    {
        var row = Blank(CredentialReportRow.RootUserName, $"arn:aws:iam::{Account}:root");
        row["password_enabled"] = "not_supported";
        row["password_last_used"] = DaysAgo(30);
        row["password_last_changed"] = "not_supported";
        row["password_next_rotation"] = "not_supported";
        row["mfa_active"] = "true";
        edit?.Invoke(row);
        _rows.Add(row);
        return this;
    }

    /// <summary>A user with nothing: no password, no MFA, no keys.</summary>
    public ReportCsv User(string name, Action<Dictionary<string, string>>? edit = null)
    {
        var row = Blank(name, $"arn:aws:iam::{Account}:user/{name}");
        edit?.Invoke(row);
        _rows.Add(row);
        return this;
    }

    public static void ConsoleUser(Dictionary<string, string> row, bool mfa = true, string? lastUsed = null)
    {
        row["password_enabled"] = "true";
        row["password_last_used"] = lastUsed ?? DaysAgo(2);
        row["password_last_changed"] = DaysAgo(200);
        row["mfa_active"] = mfa ? "true" : "false";
    }

    public static void Key(Dictionary<string, string> row, int slot, int createdDaysAgo, int? lastUsedDaysAgo, bool active = true)
    {
        row[$"access_key_{slot}_active"] = active ? "true" : "false";
        row[$"access_key_{slot}_last_rotated"] = DaysAgo(createdDaysAgo);
        row[$"access_key_{slot}_last_used_date"] = lastUsedDaysAgo is { } d ? DaysAgo(d) : "N/A";
        row[$"access_key_{slot}_last_used_region"] = lastUsedDaysAgo is null ? "N/A" : "us-east-1";
        row[$"access_key_{slot}_last_used_service"] = lastUsedDaysAgo is null ? "N/A" : "s3";
    }

    private static Dictionary<string, string> Blank(string user, string arn) => new()
    {
        ["user"] = user, ["arn"] = arn, ["user_creation_time"] = DaysAgo(400),
        ["password_enabled"] = "false", ["password_last_used"] = "N/A", ["password_last_changed"] = "N/A",
        ["password_next_rotation"] = "N/A", ["mfa_active"] = "false",
        ["access_key_1_active"] = "false", ["access_key_1_last_rotated"] = "N/A", ["access_key_1_last_used_date"] = "N/A",
        ["access_key_1_last_used_region"] = "N/A", ["access_key_1_last_used_service"] = "N/A",
        ["access_key_2_active"] = "false", ["access_key_2_last_rotated"] = "N/A", ["access_key_2_last_used_date"] = "N/A",
        ["access_key_2_last_used_region"] = "N/A", ["access_key_2_last_used_service"] = "N/A",
        ["cert_1_active"] = "false", ["cert_1_last_rotated"] = "N/A", ["cert_2_active"] = "false", ["cert_2_last_rotated"] = "N/A",
    };

    public string ToCsv(bool oldFormat = false, string newline = "\n")
    {
        var columns = oldFormat ? Columns16 : Columns22;
        var text = new StringBuilder();
        text.Append(string.Join(',', columns)).Append(newline);
        foreach (var row in _rows)
            text.Append(string.Join(',', columns.Select(c => row[c]))).Append(newline);
        return text.ToString();
    }

    public IamCredentialReport Parse(bool oldFormat = false) =>
        CredentialReportParser.Parse(ToCsv(oldFormat), Now.AddHours(-1));
}
