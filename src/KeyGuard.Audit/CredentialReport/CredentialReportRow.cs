namespace KeyGuard.CredentialReport;

/// <summary>One access-key slot (1 or 2) of a credential-report row.</summary>
internal sealed record AccessKeyColumns(
    int Slot,
    bool Active,
    ReportDate LastRotated,
    ReportDate LastUsedDate,
    string? LastUsedRegion,
    string? LastUsedService);

/// <summary>One X.509 signing-certificate slot (1 or 2) of a credential-report row.</summary>
internal sealed record CertificateColumns(int Slot, bool Active, ReportDate LastRotated);

/// <summary>One typed row of the IAM credential report.</summary>
/// <param name="RowNumber">The CSV row number, counting the header as row 1 (what a spreadsheet shows).</param>
/// <param name="PasswordEnabled">Null when the report says <c>not_supported</c> (the root row).</param>
internal sealed record CredentialReportRow(
    int RowNumber,
    string User,
    string Arn,
    DateTimeOffset UserCreationTime,
    bool? PasswordEnabled,
    ReportDate PasswordLastUsed,
    ReportDate PasswordLastChanged,
    ReportDate PasswordNextRotation,
    bool MfaActive,
    AccessKeyColumns AccessKey1,
    AccessKeyColumns AccessKey2,
    CertificateColumns Certificate1,
    CertificateColumns Certificate2)
{
    public const string RootUserName = "<root_account>";

    public bool IsRoot => User == RootUserName;

    public bool HasConsolePassword => PasswordEnabled == true;

    public IReadOnlyList<AccessKeyColumns> AccessKeys => [AccessKey1, AccessKey2];

    public IEnumerable<AccessKeyColumns> ActiveAccessKeys => AccessKeys.Where(key => key.Active);
}
