using KeyGuard.Findings;
namespace KeyGuard.Compliance;

/// <summary>One control judged for one subject (a user, the root user, or the account).</summary>
/// <param name="KeySlot">The access key (1 or 2) the result is about, when it is about one.</param>
/// <param name="AgeDays">The age that drove the verdict (key age, days unused, …), used to sort by risk.</param>
internal sealed record ComplianceResult(
    string User,
    string Arn,
    CisControl Control,
    ComplianceStatus Status,
    string Evidence,
    int? KeySlot = null,
    int? AgeDays = null)
{
    public Severity Severity => Control.Severity;

    public bool IsFailure => Status == ComplianceStatus.Fail;
}
