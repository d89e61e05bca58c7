using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using KeyGuard.Scanning;

namespace KeyGuard.Reporting;

/// <summary>
/// GitLab's secret-detection report (<c>gl-secret-detection-report.json</c>, <c>artifacts:reports:secret_detection</c>),
/// schema 15.x: vulnerabilities with id, category, name, description, severity, solution, location (file, start_line,
/// commit) and identifiers, and the scan's analyzer, scanner, type, times and status. Secrets never appear in it
/// (the report is stored and shown in merge requests); the key ID and the fingerprint identify a finding.
/// Written with System.Text.Json source generation (<see cref="GitLabReportJson"/>).
/// </summary>
internal sealed class GitLabReporter : IScanReporter
{
    /// <summary>The report schema version written (GitLab accepts 15.x reports).</summary>
    public const string SchemaVersion = "15.2.1";

    /// <summary>GitLab's analyzers write this for a finding that is not in a commit (a working-tree scan).</summary>
    public const string NoCommit = "0000000";

    public void Write(ScanResult result, Stream output, ReportOptions options)
    {
        var end = DateTime.UtcNow;
        var start = end - TimeSpan.FromMilliseconds(result.Stats.DurationMs);
        var tool = new GlTool("keyguard", "KeyGuard", ReportOptions.ToolVersion, new GlVendor("KeyGuard"));
        var report = new GlReport(
            SchemaVersion,
            result.Findings.Select(f =>
            {
                var help = RuleHelp.For(f.RuleId);
                var what = f.KeyId != null ? $"{f.RuleTitle} (key {f.KeyId})" : f.RuleTitle;
                var identifiers = new List<GlIdentifier>
                {
                    new("keyguard_rule_id", $"KeyGuard rule {f.RuleId}", f.RuleId, help.Uri),
                };
                return new GlVulnerability(
                    Id: Id(f.Fingerprint, f.Path, f.Line, f.Source.Commit),
                    Category: "secret_detection",
                    Name: f.RuleTitle,
                    Description: $"{what} in {f.Path} at line {f.Line}" + (f.Account != null ? $" (account {f.Account})" : "") +
                                 $". Fingerprint {f.Fingerprint}.",
                    Severity: Severity(f.Severity),
                    Confidence: "High",
                    Solution: help.Text,
                    Scanner: new GlScannerRef("keyguard", "KeyGuard"),
                    Location: new GlLocation(f.Path, f.Line, f.Line, new GlCommit(f.Source.Commit ?? NoCommit, f.Source.Author,
                        f.Source.Date?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"))),
                    Identifiers: identifiers);
            }).ToList(),
            new GlScan(tool, tool, "secret_detection", Time(start), Time(end), result.Errors.Count == 0 ? "success" : "failure",
                result.Errors.Select(e => new GlMessage("error", $"{e.Path}: {e.Message}")).ToList()));
        JsonSerializer.Serialize(output, report, GitLabReportJson.Default.GlReport);
        output.WriteByte((byte)'\n');
    }

    /// <summary>GitLab's pattern for scan times: no fraction, no zone (UTC is meant).</summary>
    private static string Time(DateTime t) => t.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    private static string Severity(string s) => s switch
    {
        "critical" => "Critical",
        "high" => "High",
        "medium" => "Medium",
        "low" => "Low",
        "info" => "Info",
        _ => "Unknown",
    };

    /// <summary>Stable across runs for the same secret in the same place: GitLab tracks a vulnerability by it.</summary>
    private static string Id(string fingerprint, string path, int line, string? commit)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{fingerprint}\0{path}\0{line}\0{commit}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}

internal sealed record GlReport(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("vulnerabilities")] List<GlVulnerability> Vulnerabilities,
    [property: JsonPropertyName("scan")] GlScan Scan);

internal sealed record GlVulnerability(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("confidence")] string Confidence,
    [property: JsonPropertyName("solution")] string Solution,
    [property: JsonPropertyName("scanner")] GlScannerRef Scanner,
    [property: JsonPropertyName("location")] GlLocation Location,
    [property: JsonPropertyName("identifiers")] List<GlIdentifier> Identifiers);

internal sealed record GlScannerRef(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name);

internal sealed record GlLocation(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("start_line")] int StartLine,
    [property: JsonPropertyName("end_line")] int EndLine,
    [property: JsonPropertyName("commit")] GlCommit Commit);

internal sealed record GlCommit(
    [property: JsonPropertyName("sha")] string Sha,
    [property: JsonPropertyName("author")] string? Author,
    [property: JsonPropertyName("date")] string? Date);

internal sealed record GlIdentifier(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("url")] string? Url);

internal sealed record GlVendor([property: JsonPropertyName("name")] string Name);

internal sealed record GlTool(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("vendor")] GlVendor Vendor);

internal sealed record GlMessage(
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("value")] string Value);

internal sealed record GlScan(
    [property: JsonPropertyName("analyzer")] GlTool Analyzer,
    [property: JsonPropertyName("scanner")] GlTool Scanner,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("start_time")] string StartTime,
    [property: JsonPropertyName("end_time")] string EndTime,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("messages")] List<GlMessage> Messages);

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GlReport))]
internal sealed partial class GitLabReportJson : JsonSerializerContext;
