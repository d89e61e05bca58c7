using System.CommandLine;
using KeyGuard.Reporting;
using KeyGuard.Scanning;

namespace KeyGuard.Cli.Commands;

/// <summary>--format, --output, --show-secrets, --verbose, --no-color: how a scan result is written.</summary>
internal sealed class OutputOptions
{
    public readonly Option<string> Format = new("--format", "-f") { Description = "text, json, sarif, csv, github (workflow annotations), gitlab (gl-secret-detection-report.json) or junit.", DefaultValueFactory = _ => "text" };
    public readonly Option<string?> Output = new("--output", "-o") { Description = "Write the report to FILE instead of stdout." };
    public readonly Option<bool> ShowSecrets = new("--show-secrets") { Description = "Print secrets in full (default: redacted)." };
    public readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Also list skipped binary files and symlinks." };
    public readonly Option<bool> NoColor = new("--no-color") { Description = "No colour, even on a terminal." };

    public OutputOptions()
    {
        Format.AcceptOnlyFromAmong(ScanReporters.Formats);
    }

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Format, Output, ShowSecrets, Verbose, NoColor }) command.Options.Add(o);
    }

    public void Write(ParseResult p, ScanResult result, IReadOnlyList<Detection.Rule> rules)
    {
        var format = p.GetValue(Format) ?? "text";
        var outputPath = p.GetValue(Output);
        bool color = outputPath == null && format == "text" && TerminalColors.For(Console.IsOutputRedirected, p.GetValue(NoColor));
        var options = new ReportOptions { ShowSecrets = p.GetValue(ShowSecrets), Color = color, Verbose = p.GetValue(Verbose), Rules = rules };
        var reporter = ScanReporters.For(format);
        bool verbose = p.GetValue(Verbose);
        if (outputPath != null)
        {
            try
            {
                using var file = SecureFile.Create(outputPath);
                reporter.Write(result, file, options);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidInputException($"--output: {outputPath}: {e.Message}");
            }
        }
        else
        {
            using var stdout = Console.OpenStandardOutput();
            reporter.Write(result, stdout, options);
        }
        if (format == "text") foreach (var line in TextReporter.Diagnostics(result, verbose)) Console.Error.WriteLine(line);
        foreach (var e in result.Errors) Console.Error.WriteLine($"keyguard: {ControlCharacters.Escape(e.Path)}: {ControlCharacters.Escape(e.Message)}");
        // The summary goes to stderr: after a text report, and whenever the report went to a file, so that a CI step
        // that fails on findings says how many. A JSON, SARIF or CSV report on stdout stays alone (its stats say it).
        if (format == "text" || outputPath != null)
        {
            bool dim = TerminalColors.For(Console.IsErrorRedirected, p.GetValue(NoColor));
            var summary = TextReporter.Summary(result);
            Console.Error.WriteLine(dim ? $"\x1b[2m{summary}\x1b[0m" : summary);
        }
    }
}
