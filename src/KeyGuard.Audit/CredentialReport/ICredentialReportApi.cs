namespace KeyGuard.CredentialReport;

/// <summary>State returned by GenerateCredentialReport (aws-iam.md §1).</summary>
internal enum CredentialReportGenerationState { Started, InProgress, Complete }

/// <summary>GetCredentialReport's result: the decoded CSV and IAM's GeneratedTime.</summary>
internal sealed record CredentialReportContent(byte[] Content, DateTimeOffset GeneratedAt);

/// <summary>GetAccountPasswordPolicy's PasswordPolicy. Nullable members are the ones IAM omits when unset.</summary>
internal sealed record PasswordPolicy(
    int MinimumPasswordLength,
    int? PasswordReusePrevention = null,
    int? MaxPasswordAge = null,
    bool RequireSymbols = false,
    bool RequireNumbers = false,
    bool RequireUppercaseCharacters = false,
    bool RequireLowercaseCharacters = false,
    bool ExpirePasswords = false);

/// <summary>A ListVirtualMFADevices entry: the device and the ARN of the user it is assigned to (null when unassigned).</summary>
internal sealed record VirtualMfaDevice(string SerialNumber, string? UserArn);

/// <summary>
/// The IAM calls the report needs. The IAM client adapts to this; tests use an in-memory fake.
/// </summary>
internal interface ICredentialReportApi
{
    Task<CredentialReportGenerationState> GenerateAsync(CancellationToken cancellationToken);

    /// <summary>GetCredentialReport.</summary>
    /// <exception cref="CredentialReportNotPresentException">ReportNotPresent (410).</exception>
    /// <exception cref="CredentialReportExpiredException">ReportExpired (410).</exception>
    /// <exception cref="CredentialReportInProgressException">ReportInProgress (404).</exception>
    Task<CredentialReportContent> GetAsync(CancellationToken cancellationToken);

    /// <summary>GetAccountPasswordPolicy; null when IAM answers NoSuchEntity (no policy is set).</summary>
    Task<PasswordPolicy?> GetPasswordPolicyAsync(CancellationToken cancellationToken);

    /// <summary>GetAccountSummary's SummaryMap (AccountMFAEnabled, AccountAccessKeysPresent, …).</summary>
    Task<IReadOnlyDictionary<string, int>> GetAccountSummaryAsync(CancellationToken cancellationToken);

    /// <summary>ListVirtualMFADevices with AssignmentStatus=Any, all pages.</summary>
    Task<IReadOnlyList<VirtualMfaDevice>> ListVirtualMfaDevicesAsync(CancellationToken cancellationToken);
}

/// <summary>GetCredentialReport answered ReportNotPresent (410): generate one first.</summary>
internal sealed class CredentialReportNotPresentException(string message = "ReportNotPresent") : Exception(message);

/// <summary>GetCredentialReport answered ReportExpired (410): the report is older than IAM keeps it; generate again.</summary>
internal sealed class CredentialReportExpiredException(string message = "ReportExpired") : Exception(message);

/// <summary>GetCredentialReport answered ReportInProgress (404): wait and ask again.</summary>
internal sealed class CredentialReportInProgressException(string message = "ReportInProgress") : Exception(message);

/// <summary>The report did not become ready within the allowed polls.</summary>
internal sealed class CredentialReportTimeoutException(string message) : Exception(message);
