namespace KeyGuard.CredentialReport;

/// <summary>A parsed credential report.</summary>
/// <param name="GeneratedAt">When IAM generated the report (GetCredentialReport's GeneratedTime, or the file's time).</param>
/// <param name="HasLastUsedColumns">False for the older 16-column format, which has no *_last_used_* columns.</param>
internal sealed record IamCredentialReport(
    DateTimeOffset GeneratedAt,
    IReadOnlyList<CredentialReportRow> Rows,
    bool HasLastUsedColumns)
{
    public CredentialReportRow? Root => Rows.FirstOrDefault(row => row.IsRoot);

    public IEnumerable<CredentialReportRow> Users => Rows.Where(row => !row.IsRoot);
}
