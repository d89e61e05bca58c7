using KeyGuard.Compliance;

namespace KeyGuard.Reporting.Iam;

/// <summary>What every output format renders: the judged results in risk order and their summary.</summary>
/// <param name="Generated">When IAM generated the credential report.</param>
/// <param name="EvaluatedAt">The "now" ages were measured against.</param>
public sealed record IamComplianceReport(
    DateTimeOffset Generated,
    DateTimeOffset EvaluatedAt,
    CisOptions Thresholds,
    IReadOnlyList<ComplianceResult> Results,
    IamReportSummary Summary)
{
    public IEnumerable<ComplianceResult> Failures => Results.Where(result => result.Status == ComplianceStatus.Fail);

    /// <summary>What --fail-on decides: does any control fail at or above <paramref name="threshold"/>?</summary>
    public bool HasFailureAtOrAbove(Severity threshold) => Failures.Any(result => result.Severity >= threshold);

    /// <summary>Results a reader must act on or look at: failures and controls that could not be evaluated.</summary>
    public IEnumerable<ComplianceResult> Findings => Results.Where(result => result.Status != ComplianceStatus.Pass);
}

/// <summary>Pass/fail counts of one control.</summary>
public sealed record ControlSummary(CisControl Control, int Pass, int Fail, int NotEvaluated);

/// <summary>How many active access keys fall in one age bucket (by access_key_N_last_rotated).</summary>
public sealed record KeyAgeBucket(string Label, int MinDays, int? MaxDays, int Count);

public sealed record IamReportSummary(
    int Users,
    int Pass,
    int Fail,
    int NotEvaluated,
    IReadOnlyList<ControlSummary> Controls,
    IReadOnlyDictionary<Severity, int> FailuresBySeverity,
    IReadOnlyList<KeyAgeBucket> KeyAgeDistribution,
    int ActiveKeysWithoutDate);
