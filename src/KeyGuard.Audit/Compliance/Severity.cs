namespace KeyGuard.Compliance;

/// <summary>Prowler's severity of a control (aws-iam.md §4). Larger is worse, so "at or above" is a plain comparison.</summary>
internal enum Severity { Low = 0, Medium = 1, High = 2, Critical = 3 }

/// <summary>The outcome of one control for one subject.</summary>
internal enum ComplianceStatus
{
    Pass,
    Fail,
    /// <summary>The input the control needs was not given (e.g. no account summary for root hardware MFA).</summary>
    NotEvaluated,
    /// <summary>Worth knowing but not a failure (CloudTrail without CloudWatch Logs or KMS): never counts for --fail-on.</summary>
    Note,
}

internal static class ComplianceText
{
    public static string Name(this Severity severity) => severity switch
    {
        Severity.Critical => "critical",
        Severity.High => "high",
        Severity.Medium => "medium",
        _ => "low",
    };

    public static string Name(this ComplianceStatus status) => status switch
    {
        ComplianceStatus.Pass => "pass",
        ComplianceStatus.Fail => "fail",
        ComplianceStatus.Note => "note",
        _ => "not_evaluated",
    };

    public static Severity ParseSeverity(string text) => text.Trim().ToLowerInvariant() switch
    {
        "critical" => Severity.Critical,
        "high" => Severity.High,
        "medium" => Severity.Medium,
        "low" => Severity.Low,
        _ => throw new InvalidInputException($"unknown severity '{text}' (expected critical, high, medium or low)"),
    };
}
