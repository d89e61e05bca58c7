using System.Globalization;
using System.Text.Json;
using KeyGuard.CredentialReport;

namespace KeyGuard.Planning;

/// <summary>Access-key slots of a credential report file, for stale-key and root-key plans.</summary>
internal static class CredentialReportKeys
{
    public static List<ReportKey> Load(string file)
    {
        byte[] content;
        try { content = File.ReadAllBytes(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"--report: {file}: {e.Message}"); }
        IamCredentialReport report;
        try { report = CredentialReportParser.Parse(content, new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero)); }
        catch (CredentialReportFormatException e) { throw new InvalidInputException($"--report: {file}: {e.Message}"); }
        return From(report);
    }

    public static List<ReportKey> From(IamCredentialReport report) =>
        report.Rows.SelectMany(row => row.AccessKeys.Select(k => new ReportKey(row.User, row.Arn, k.Slot, k.Active,
            k.LastRotated.Value, k.LastUsedDate.Value, k.LastUsedRegion, k.LastUsedService, row.IsRoot))).ToList();
}

/// <summary>IAM facts recorded by an earlier `scan --verify` (the "aws" object of a finding), for --offline plans.</summary>
internal static class OfflineFacts
{
    public static KeyFactsForPlan From(string keyId, JsonElement aws)
    {
        string? S(string name) => aws.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        DateTimeOffset? D(string name) => S(name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
        var ownership = S("ownership") switch { "ours" => Ownership.Ours, "other-account" => Ownership.OtherAccount, _ => Ownership.Unknown };
        string? status = S("status") switch { "active" => "Active", "inactive" => "Inactive", "deleted-or-not-found" => "Deleted", _ => null };
        bool? quarantine = aws.TryGetProperty("quarantinePolicyAttached", out var q) && q.ValueKind is JsonValueKind.True or JsonValueKind.False ? q.GetBoolean() : null;
        var user = S("userName");
        return new KeyFactsForPlan(keyId, ownership, S("account"), user, status, D("createDate"), D("lastUsedDate"), S("lastUsedService"),
            S("lastUsedRegion"), quarantine, IsRoot: user is "root" or "<root_account>", Error: S("error"));
    }
}
