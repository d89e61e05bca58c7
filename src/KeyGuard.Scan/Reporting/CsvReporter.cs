using System.Globalization;
using CsvHelper;
using KeyGuard.Findings;
using KeyGuard.Scanning;

namespace KeyGuard.Reporting;

/// <summary>
/// One row per finding, RFC 4180 (CRLF). Formula-guarded like every KeyGuard CSV (<see cref="CsvOutput"/>). The IAM
/// columns (after <c>date</c>) are always there, so a spreadsheet or script reads one layout; they are filled by
/// <c>--verify</c> and empty otherwise.
/// </summary>
internal sealed class CsvReporter : IScanReporter
{
    private static readonly string[] Header =
        ["rule", "severity", "path", "line", "column", "endColumn", "secret", "fingerprint", "keyId", "account", "keyKind", "source", "commit", "author", "date",
         "ownership", "awsAccount", "canary", "userName", "status", "createDate", "ageDays", "lastUsedDate", "lastUsedService",
         "lastUsedRegion", "quarantinePolicies", "liveCheck", "liveArn", "awsError"];

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
            WriteFacts(csv, f.Facts);
            csv.EndRecord();
        }
    }

    private static void WriteFacts(CsvWriter csv, KeyFacts? f)
    {
        static string Day(DateTimeOffset? d) => d is { } v ? KeyFactsJson.Date(v) : "";
        string live = f == null || f.LiveCheck.Result == LiveCheckResult.NotRequested ? "" : KeyFactsJson.LiveName(f.LiveCheck.Result);
        string[] cells = f == null
            ? new string[14]
            : [KeyFactsJson.OwnershipName(f.Ownership), f.Account ?? "", f.CanarySource ?? "", f.UserName ?? "", KeyFactsJson.StatusName(f.Status),
               Day(f.CreateDate), f.AgeDays?.ToString(CultureInfo.InvariantCulture) ?? "", Day(f.LastUsedDate), f.LastUsedService ?? "",
               f.LastUsedRegion ?? "", string.Join(" ", f.QuarantinePolicies), live, f.LiveCheck.Arn ?? "", f.Error ?? ""];
        foreach (var cell in cells) csv.WriteField(cell ?? "");
    }
}
