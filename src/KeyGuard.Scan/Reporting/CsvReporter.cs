using System.Globalization;
using CsvHelper;
using KeyGuard.Scanning;

namespace KeyGuard.Reporting;

/// <summary>One row per finding, RFC 4180 (CRLF). Formula-guarded like every KeyGuard CSV (<see cref="CsvOutput"/>).</summary>
internal sealed class CsvReporter : IScanReporter
{
    private static readonly string[] Header =
        ["rule", "severity", "path", "line", "column", "endColumn", "secret", "fingerprint", "keyId", "account", "keyKind", "source", "commit", "author", "date"];

    public void Write(ScanResult result, Stream output, ReportOptions options)
    {
        using var csv = CsvWriter.Create(output, CsvOutput.Options("\r\n"), true);
        foreach (var h in Header) csv.WriteField(h);
        csv.EndRecord();
        foreach (var f in result.Findings)
        {
            csv.WriteField(f.RuleId);
            csv.WriteField(f.Severity);
            csv.WriteField(f.Path);
            csv.WriteField(f.Line.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(f.Column.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(f.EndColumn.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(f.Display(options.ShowSecrets));
            csv.WriteField(f.Fingerprint);
            csv.WriteField(f.KeyId ?? "");
            csv.WriteField(f.Account ?? "");
            csv.WriteField(f.KeyKind ?? "");
            csv.WriteField(ScanReporters.SourceName(f.Source.Kind));
            csv.WriteField(f.Source.Commit ?? "");
            csv.WriteField(f.Source.Author ?? "");
            csv.WriteField(f.Source.Date?.ToString("yyyy-MM-ddTHH:mm:ssK") ?? "");
            csv.EndRecord();
        }
    }
}
