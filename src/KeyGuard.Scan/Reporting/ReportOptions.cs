using KeyGuard.Detection;
using KeyGuard.Scanning;

namespace KeyGuard.Reporting;

internal sealed class ReportOptions
{
    public bool ShowSecrets { get; init; }
    public bool Color { get; init; }
    public bool Verbose { get; init; }
    public IReadOnlyList<Rule> Rules { get; init; } = [];
    public static string ToolVersion => typeof(ReportOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}

/// <summary>Writes a scan result in one format. One class per format, like gitleaks' report/.</summary>
internal interface IScanReporter
{
    void Write(ScanResult result, Stream output, ReportOptions options);
}

internal static class ScanReporters
{
    public static readonly string[] Formats = ["text", "json", "sarif", "csv", "github", "gitlab", "junit"];

    public static IScanReporter For(string format) => format switch
    {
        "text" => new TextReporter(),
        "json" => new JsonReporter(),
        "sarif" => new SarifReporter(),
        "csv" => new CsvReporter(),
        "github" => new GitHubReporter(),
        "gitlab" => new GitLabReporter(),
        "junit" => new JUnitReporter(),
        _ => throw new InvalidInputException($"--format: unknown format '{format}' ({string.Join(", ", Formats)})"),
    };

    internal static string SourceName(Sources.SourceKind kind) => kind switch
    {
        Sources.SourceKind.File => "file",
        Sources.SourceKind.Stdin => "stdin",
        Sources.SourceKind.Index => "index",
        Sources.SourceKind.Commit => "commit",
        Sources.SourceKind.CommitMessage => "message",
        Sources.SourceKind.TagMessage => "tag-message",
        _ => "file",
    };
}
