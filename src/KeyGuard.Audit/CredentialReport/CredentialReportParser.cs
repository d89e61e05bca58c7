using System.Text;
using CsvHelper;

namespace KeyGuard.CredentialReport;

/// <summary>
/// Reads the IAM credential report CSV by header name with CsvHelper (quoting and line endings are its job, not ours).
/// Accepts the 22-column and the older 16-column format, a BOM, and a trailing newline.
/// </summary>
internal static class CredentialReportParser
{
    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with
    {
        Separator = ',',
        MalformedData = CsvMalformedDataHandling.Throw,
        SkipEmptyLines = true,
        TrimWhitespace = true,
    };

    /// <summary>Parses the decoded Content of GetCredentialReport (UTF-8 bytes).</summary>
    public static IamCredentialReport Parse(byte[] content, DateTimeOffset generatedAt)
    {
        using var reader = CsvReader.Create(content, Options);
        return Read(reader, generatedAt);
    }

    public static IamCredentialReport Parse(string content, DateTimeOffset generatedAt) =>
        Parse(Encoding.UTF8.GetBytes(content), generatedAt);

    private static IamCredentialReport Read(CsvReader reader, DateTimeOffset generatedAt)
    {
        try
        {
            var header = CredentialReportHeader.Resolve(reader.Headers.ToArray());
            var rows = new List<CredentialReportRow>();
            while (reader.Read())
            {
                var fields = new string[reader.FieldCount];
                for (var i = 0; i < fields.Length; i++) fields[i] = reader.GetString(i);
                // Row numbers count the header as row 1, as a spreadsheet shows them.
                rows.Add(new CredentialReportRowReader(fields, (int)reader.RowNumber + 1, header, generatedAt).Read());
            }
            return new IamCredentialReport(generatedAt, rows, header.HasLastUsedColumns);
        }
        catch (CsvFormatException e)
        {
            throw new CredentialReportFormatException(
                $"credential report row {e.RecordNumber}: not valid CSV ({e.Message.Split('\n', 2)[0].Trim()})");
        }
    }
}
