namespace KeyGuard.Aws;

/// <summary>One page of a paginated IAM listing; pass <see cref="Marker"/> back to get the next page.</summary>
internal sealed record IamPage<T>(IReadOnlyList<T> Items, bool IsTruncated, string? Marker);

internal sealed record IamUser(string Path, string UserName, string UserId, string Arn, DateTimeOffset CreateDate, DateTimeOffset? PasswordLastUsed);

internal enum AccessKeyStatus { Unknown, Active, Inactive, Expired }

internal sealed record AccessKeyMetadata(string UserName, string AccessKeyId, AccessKeyStatus Status, DateTimeOffset CreateDate);

/// <summary>
/// GetAccessKeyLastUsed. AWS reports "N/A" for the service and region of a never-used key; those become null here,
/// as does a missing LastUsedDate.
/// </summary>
internal sealed record AccessKeyLastUsed(string UserName, DateTimeOffset? LastUsedDate, string? ServiceName, string? Region);

internal sealed record MfaDevice(string UserName, string SerialNumber, DateTimeOffset EnableDate);

internal sealed record VirtualMfaDevice(string SerialNumber, string? UserName, string? UserArn, DateTimeOffset? EnableDate);

internal enum VirtualMfaAssignment { Any, Assigned, Unassigned }

internal sealed record AttachedPolicy(string PolicyName, string PolicyArn);

/// <summary>A ListPolicies entry.</summary>
internal sealed record ManagedPolicy(string PolicyName, string Arn, string DefaultVersionId, int AttachmentCount);

/// <summary>ListEntitiesForPolicy: who a managed policy is attached to.</summary>
internal sealed record PolicyEntities(IReadOnlyList<string> Users, IReadOnlyList<string> Groups, IReadOnlyList<string> Roles);

/// <summary>A ListServerCertificates entry.</summary>
internal sealed record ServerCertificate(string Name, string Arn, DateTimeOffset? Expiration);

/// <summary>GetAccountPasswordPolicy; absent numeric settings are null.</summary>
internal sealed record PasswordPolicy(
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

internal enum CredentialReportState { Unknown, Started, InProgress, Complete }

internal sealed record CredentialReportGeneration(CredentialReportState State, string? Description);

/// <summary>A decoded credential report: the CSV text (aws-iam.md §3; parse it by header name).</summary>
internal sealed record CredentialReport(string Csv, string ReportFormat, DateTimeOffset GeneratedTime);

/// <summary>CreateAccessKey's result. The secret is shown once by AWS; it is redacted from ToString.</summary>
internal sealed record NewAccessKey(string UserName, string AccessKeyId, AccessKeyStatus Status, string SecretAccessKey, DateTimeOffset CreateDate)
{
    public override string ToString() => $"NewAccessKey {{ UserName = {UserName}, AccessKeyId = {AccessKeyId}, Status = {Status}, SecretAccessKey = <redacted> }}";
}

/// <summary>sts:GetCallerIdentity.</summary>
internal sealed record CallerIdentity(string Account, string Arn, string UserId);
