namespace KeyGuard.CredentialReport;

/// <summary>Where each named column sits in this particular report, resolved once from the header row.</summary>
internal sealed class CredentialReportHeader
{
    private readonly Dictionary<string, int> _indexByName;

    private CredentialReportHeader(Dictionary<string, int> indexByName, int columnCount, bool hasLastUsedColumns)
    {
        _indexByName = indexByName;
        ColumnCount = columnCount;
        HasLastUsedColumns = hasLastUsedColumns;
    }

    public int ColumnCount { get; }

    public bool HasLastUsedColumns { get; }

    public int IndexOf(string column) => _indexByName[column];

    public static CredentialReportHeader Resolve(string[] header)
    {
        if (header.Length == 0 || header.All(string.IsNullOrWhiteSpace))
            throw new CredentialReportFormatException("credential report is empty (no header row)");
        var indexByName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
        {
            // A BOM can survive when the caller hands us a string; it must not hide the "user" column.
            var name = header[i].Trim().TrimStart('\uFEFF');
            indexByName.TryAdd(name, i);
        }

        var missing = CredentialReportColumns.Required.Where(name => !indexByName.ContainsKey(name)).ToList();
        if (missing.Count > 0)
            throw new CredentialReportFormatException(
                $"credential report header (row 1) lacks column(s) {string.Join(", ", missing)}; is this an IAM credential report?");

        var lastUsedPresent = CredentialReportColumns.LastUsed.Count(indexByName.ContainsKey);
        if (lastUsedPresent != 0 && lastUsedPresent != CredentialReportColumns.LastUsed.Count)
        {
            var absent = CredentialReportColumns.LastUsed.Where(name => !indexByName.ContainsKey(name));
            throw new CredentialReportFormatException(
                $"credential report header (row 1) has some but not all access-key last-used columns; missing {string.Join(", ", absent)}");
        }

        return new CredentialReportHeader(indexByName, header.Length, lastUsedPresent != 0);
    }
}
