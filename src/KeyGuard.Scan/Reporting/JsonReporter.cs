using System.Text.Json;
using KeyGuard.Scanning;

namespace KeyGuard.Reporting;

/// <summary>The versioned JSON contract documented in docs/json-output.md. Field names are stable.</summary>
internal sealed class JsonReporter : IScanReporter
{
    public void Write(ScanResult result, Stream output, ReportOptions options)
    {
        JsonSerializer.Serialize(output, ScanReportDocument.From(result, options.ShowSecrets), ScanJsonContext.Default.ScanReportDocument);
        output.WriteByte((byte)'\n'); // a text file ends with a newline (diffs, cat, shell prompts)
    }
}
