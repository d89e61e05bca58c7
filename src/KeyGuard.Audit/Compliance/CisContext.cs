using KeyGuard.CredentialReport;

namespace KeyGuard.Compliance;

/// <summary>Everything a check looks at: the report, the account inputs, the thresholds and the fixed "now".</summary>
internal sealed record CisContext(IamCredentialReport Report, AccountInputs Inputs, CisOptions Options, DateTimeOffset Now)
{
    /// <summary>The subject name of account-level results (password policy).</summary>
    public const string AccountSubject = "<account>";

    /// <summary>The account's root ARN, for account-level results; derived from any user ARN when the root row is missing.</summary>
    public string AccountArn => Report.Root?.Arn ?? DeriveAccountArn();

    private string DeriveAccountArn()
    {
        var arn = Report.Rows.FirstOrDefault()?.Arn;
        var parts = arn?.Split(':');
        return parts is { Length: >= 6 } ? $"arn:{parts[1]}:iam::{parts[4]}:root" : "";
    }
}

/// <summary>One CIS control's logic.</summary>
internal interface ICisCheck
{
    CisControl Control { get; }

    IEnumerable<ComplianceResult> Evaluate(CisContext context);
}
