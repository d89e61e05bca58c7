namespace KeyGuard.Compliance;

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
    public static string Name(this ComplianceStatus status) => status switch
    {
        ComplianceStatus.Pass => "pass",
        ComplianceStatus.Fail => "fail",
        ComplianceStatus.Note => "note",
        _ => "not_evaluated",
    };
}
