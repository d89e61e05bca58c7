using KeyGuard.Compliance;
using KeyGuard.Findings;

namespace KeyGuard.Reporting.Iam;

/// <summary>What every output format renders: the judged results in risk order and their summary.</summary>
/// <param name="Generated">When IAM generated the credential report.</param>
/// <param name="EvaluatedAt">The "now" ages were measured against.</param>
internal sealed record IamComplianceReport(
    DateTimeOffset Generated,
    DateTimeOffset EvaluatedAt,
    CisOptions Thresholds,
    IReadOnlyList<ComplianceResult> Results,
    IamReportSummary Summary)
{
    /// <summary>True when the account baseline (CloudTrail, Config, S3, Access Analyzer, IAM policies) was read and judged.</summary>
    public bool HasBaseline { get; init; }

    /// <summary>The AWS account the credential report is of (from its users' ARNs); null when no row names one.</summary>
    public string? Account { get; init; }

    /// <summary>--summary-only: the summary, the chart and the per-control counts, no result rows.</summary>
    public bool SummaryOnly { get; init; }

    /// <summary>--top N: list the N worst findings of each control and the N worst users; null lists all.</summary>
    public int? Top { get; init; }

    /// <summary>" for account 123456789012", or nothing: what every format puts after its title.</summary>
    public string ForAccount => Account is null ? "" : $" for account {Account}";

    /// <summary>Every account-baseline result (pass, fail, note, not evaluated), in risk order.</summary>
    public IEnumerable<ComplianceResult> BaselineResults => Results.Where(result => result.Control.Section == ControlSection.Baseline);

    /// <summary>Does a baseline control fail? The HTML report then puts the baseline first.</summary>
    public bool BaselineFails => BaselineResults.Any(result => result.IsFailure);

    public IEnumerable<ComplianceResult> Failures => Results.Where(result => result.Status == ComplianceStatus.Fail);

    /// <summary>What --fail-on decides: does any control fail at or above <paramref name="threshold"/>?</summary>
    public bool HasFailureAtOrAbove(Severity threshold) => Failures.Any(result => result.Severity >= threshold);

    /// <summary>
    /// Credential-control results a reader must act on or look at: failures and controls that could not be evaluated.
    /// Baseline results have their own section (<see cref="BaselineResults"/>).
    /// </summary>
    public IEnumerable<ComplianceResult> Findings =>
        Results.Where(result => result.Status != ComplianceStatus.Pass && result.Control.Section == ControlSection.Credentials);

    /// <summary>Passing credential-control results: counted, not listed, by the formats meant for reading.</summary>
    public int PassingCredentials =>
        Results.Count(result => result.Status == ComplianceStatus.Pass && result.Control.Section == ControlSection.Credentials);
}

/// <summary>Pass/fail counts of one control.</summary>
internal sealed record ControlSummary(CisControl Control, int Pass, int Fail, int NotEvaluated, int Note = 0);

/// <summary>How many active access keys fall in one age bucket (by access_key_N_last_rotated).</summary>
internal sealed record KeyAgeBucket(string Label, int MinDays, int? MaxDays, int Count);

internal sealed record IamReportSummary(
    int Users,
    int Pass,
    int Fail,
    int NotEvaluated,
    IReadOnlyList<ControlSummary> Controls,
    IReadOnlyDictionary<Severity, int> FailuresBySeverity,
    IReadOnlyList<KeyAgeBucket> KeyAgeDistribution,
    int ActiveKeysWithoutDate,
    int Note = 0);
