namespace KeyGuard.Aws;

/// <summary>One page of a paginated IAM listing; pass <see cref="Marker"/> back to get the next page.</summary>
public sealed record IamPage<T>(IReadOnlyList<T> Items, bool IsTruncated, string? Marker);

public sealed record IamUser(string Path, string UserName, string UserId, string Arn, DateTimeOffset CreateDate, DateTimeOffset? PasswordLastUsed);

public enum AccessKeyStatus { Unknown, Active, Inactive, Expired }

public sealed record AccessKeyMetadata(string UserName, string AccessKeyId, AccessKeyStatus Status, DateTimeOffset CreateDate);

/// <summary>
/// GetAccessKeyLastUsed. AWS reports "N/A" for the service and region of a never-used key; those become null here,
/// as does a missing LastUsedDate.
/// </summary>
public sealed record AccessKeyLastUsed(string UserName, DateTimeOffset? LastUsedDate, string? ServiceName, string? Region);

public sealed record MfaDevice(string UserName, string SerialNumber, DateTimeOffset EnableDate);

public sealed record VirtualMfaDevice(string SerialNumber, string? UserName, string? UserArn, DateTimeOffset? EnableDate);

public enum VirtualMfaAssignment { Any, Assigned, Unassigned }

public sealed record AttachedPolicy(string PolicyName, string PolicyArn);

/// <summary>A ListPolicies entry.</summary>
public sealed record ManagedPolicy(string PolicyName, string Arn, string DefaultVersionId, int AttachmentCount);

/// <summary>ListEntitiesForPolicy: who a managed policy is attached to.</summary>
public sealed record PolicyEntities(IReadOnlyList<string> Users, IReadOnlyList<string> Groups, IReadOnlyList<string> Roles);

/// <summary>A ListServerCertificates entry.</summary>
public sealed record ServerCertificate(string Name, string Arn, DateTimeOffset? Expiration);

/// <summary>GetAccountPasswordPolicy; absent numeric settings are null.</summary>
public sealed record PasswordPolicy(
    int? MinimumPasswordLength,
    bool RequireSymbols,
    bool RequireNumbers,
    bool RequireUppercaseCharacters,
    bool RequireLowercaseCharacters,
    bool AllowUsersToChangePassword,
    bool ExpirePasswords,
    int? MaxPasswordAge,
    int? PasswordReusePrevention,
    bool HardExpiry);

public enum CredentialReportState { Unknown, Started, InProgress, Complete }

public sealed record CredentialReportGeneration(CredentialReportState State, string? Description);

/// <summary>A decoded credential report: the CSV text (aws-iam.md §3; parse it by header name).</summary>
public sealed record CredentialReport(string Csv, string ReportFormat, DateTimeOffset GeneratedTime);

/// <summary>CreateAccessKey's result. The secret is shown once by AWS; it is redacted from ToString.</summary>
public sealed record NewAccessKey(string UserName, string AccessKeyId, AccessKeyStatus Status, string SecretAccessKey, DateTimeOffset CreateDate)
{
    public override string ToString() => $"NewAccessKey {{ UserName = {UserName}, AccessKeyId = {AccessKeyId}, Status = {Status}, SecretAccessKey = <redacted> }}";
}

/// <summary>sts:GetCallerIdentity.</summary>
public sealed record CallerIdentity(string Account, string Arn, string UserId);
