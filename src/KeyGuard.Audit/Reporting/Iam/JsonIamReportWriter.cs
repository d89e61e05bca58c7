using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using KeyGuard.Compliance;
using KeyGuard.Findings;

namespace KeyGuard.Reporting.Iam;

/// <summary>
/// The JSON contract (version 1): {"version","generated","results":[{user,arn,control,controlV5,title,status,severity,evidence,…}],"summary":{…}}.
/// Typed documents serialised by source generation (no reflection: the library is AOT-compatible).
/// </summary>
internal sealed class JsonIamReportWriter : IIamReportWriter
{
    public const int Version = 1;

    /// <summary>Without --top, the groups list this many: "results" lists every result, the groups need not repeat them.</summary>
    public const int DefaultTop = 10;

    // The output is a file, not HTML: keep "<root_account>" readable instead of \u003C. The generated options plus
    // that encoder; serialising to a stream with them hands the bytes over in chunks as results are written.
    private static readonly JsonTypeInfo<IamReportDocument> Type = (JsonTypeInfo<IamReportDocument>)new JsonSerializerOptions(IamReportJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }.GetTypeInfo(typeof(IamReportDocument));

    public void Write(IamComplianceReport report, TextWriter output)
    {
        using var buffer = new MemoryStream();
        JsonSerializer.Serialize(buffer, Document(report), Type);
        // GetBuffer avoids one more copy of what is ~20 MB for a 10,000-user account.
        output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.WriteLine();
    }

    internal static IamReportDocument Document(IamComplianceReport report)
    {
        int top = report.Top ?? DefaultTop;
        bool full = !report.SummaryOnly;
        var users = full ? FailureGroups.ByUser(report, top) : null;
        var o = report.Thresholds;
        return new IamReportDocument(
            Version, report.Account, ReportText.Timestamp(report.Generated), ReportText.Timestamp(report.EvaluatedAt),
            new ThresholdsDocument(o.MaxKeyAgeDays, o.MaxUnusedDays, o.MinPasswordLength, o.PasswordReuseCount, o.RootUseWindowDays),
            report.HasBaseline, report.SummaryOnly ? true : null, report.Top, Summary(report.Summary),
            full ? FailureGroups.ByControl(report, top).Select(g => new ControlGroupDocument(
                g.Control.Control, g.Control.ControlV5, g.Control.Title, g.Control.Severity.Name(), g.Fail, g.NotEvaluated,
                g.Listed.Select(r => new WorstDocument(r.User, r.Status.Name(), r.KeySlot, r.AgeDays)).ToList(), g.More)) : null,
            users?.Listed.Select(u => new UserGroupDocument(u.User, u.Arn, u.Failures.Count, u.Worst.Name(), u.Failures.Select(r => r.Control.Control).ToList())),
            users?.More,
            full ? report.Results.Select(Result) : null);
    }

    private static IamResultDocument Result(ComplianceResult r) => new(
        r.User, r.Arn, r.Control.Control, r.Control.ControlV5, r.Control.Title, SectionName(r.Control.Section), r.Status.Name(),
        r.Severity.Name(), r.Evidence, r.KeySlot, r.AgeDays, r.Control.ProwlerCheck, r.Control.Remediation);

    public static string SectionName(ControlSection section) => section == ControlSection.Baseline ? "baseline" : "credentials";

    private static IamSummaryDocument Summary(IamReportSummary s) => new(
        s.Users, s.Pass, s.Fail, s.NotEvaluated, s.Note,
        s.Controls.Select(c => new ControlDocument(c.Control.Control, c.Control.ControlV5, c.Control.Title, SectionName(c.Control.Section),
            c.Control.Severity.Name(), c.Pass, c.Fail, c.NotEvaluated, c.Note)).ToList(),
        s.FailuresBySeverity.ToDictionary(x => x.Key.Name(), x => x.Value),
        s.KeyAgeDistribution.Select(b => new KeyAgeBucketDocument(b.Label, b.MinDays, b.MaxDays, b.Count)).ToList(),
        s.ActiveKeysWithoutDate);
}

// The report's documents. Order is declaration order. "control"/"controlV5" are strings, "" when that benchmark
// version has no such control. The summary comes first: a reader (or a streaming parser) of a 10,000-user report
// gets it before 50,000 results. Without --summary-only, failuresByControl (N per control, worst users first, "more"
// counts the rest) and failuresByUser (worst first) list N each (--top N, default 10); "results" lists every result.

/// <param name="BaselineEvaluated">Whether the account baseline (section "baseline") was read; an offline report judges credentials only.</param>
internal sealed record IamReportDocument(
    int Version, string? Account, string Generated, string EvaluatedAt, ThresholdsDocument Thresholds, bool BaselineEvaluated,
    bool? SummaryOnly, int? Top, IamSummaryDocument Summary, IEnumerable<ControlGroupDocument>? FailuresByControl,
    IEnumerable<UserGroupDocument>? FailuresByUser, int? MoreUsers, IEnumerable<IamResultDocument>? Results);

internal sealed record ThresholdsDocument(int MaxKeyAgeDays, int MaxUnusedDays, int MinPasswordLength, int PasswordReuseCount, int RootUseWindowDays);

internal sealed record ControlGroupDocument(
    string Control, string ControlV5, string Title, string Severity, int Fail, int NotEvaluated, IReadOnlyList<WorstDocument> Worst, int More);

internal sealed record WorstDocument(string User, string Status, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? KeySlot, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? AgeDays);

internal sealed record UserGroupDocument(string User, string Arn, int Fail, string WorstSeverity, IReadOnlyList<string> Controls);

internal sealed record IamResultDocument(
    string User, string Arn, string Control, string ControlV5, string Title, string Section, string Status, string Severity, string Evidence,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? KeySlot, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? AgeDays, string Check, string Remediation);

internal sealed record IamSummaryDocument(
    int Users, int Pass, int Fail, int NotEvaluated, int Note, IReadOnlyList<ControlDocument> Controls,
    IReadOnlyDictionary<string, int> FailuresBySeverity, IReadOnlyList<KeyAgeBucketDocument> KeyAgeDistribution, int ActiveKeysWithoutDate);

internal sealed record ControlDocument(
    string Control, string ControlV5, string Title, string Section, string Severity, int Pass, int Fail, int NotEvaluated, int Note);

internal sealed record KeyAgeBucketDocument(string Bucket, int MinDays, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? MaxDays, int Count);

/// <summary>
/// Source-generated (AOT-safe) serialisation of the IAM report. Metadata mode, so serialising to a stream takes the
/// resumable path (chunks) rather than building the whole report in the writer's buffer first.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(IamReportDocument))]
internal sealed partial class IamReportJsonContext : JsonSerializerContext;
