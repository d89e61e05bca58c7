using System.CommandLine;
using KeyGuard.Scanning;

namespace KeyGuard.Cli.Commands;

internal static class ScanCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Files or directories to scan (default: .); - reads stdin. With --history: the repository.", Arity = ArgumentArity.ZeroOrMore };
        var stdinName = new Option<string>("--stdin-name") { Description = "Path reported for stdin.", DefaultValueFactory = _ => "stdin" };
        var baseline = new Option<string?>("--baseline") { Description = "Report only findings not in this baseline file." };
        var scan = new ScanOptions();
        var output = new OutputOptions();
        var history = new HistoryScan();

        var command = new Command("scan", "Scan files, directories or stdin for AWS credentials.");
        command.Arguments.Add(paths);
        command.Options.Add(stdinName);
        command.Options.Add(baseline);
        scan.AddTo(command);
        output.AddTo(command);
        history.AddTo(command);
        command.SetAction(p =>
        {
            if (history.Requested(p)) return history.Run(p, p.GetValue(paths) ?? [], scan.Read(p, p.GetValue(baseline)), output);
            var roots = p.GetValue(paths) is { Length: > 0 } given ? given : ["."];
            var settings = scan.Read(p, p.GetValue(baseline));
            var configRoot = ScanSetup.ConfigRootFor(roots.FirstOrDefault(r => r != "-") ?? ".");
            var setup = ScanSetup.Create(settings, configRoot);
            var result = Run(setup, roots, p.GetValue(stdinName) ?? "stdin");
            setup.Finish(result);
            output.Write(p, result, setup.Rules.Rules);
            return result.ExitCode;
        });
        return command;
    }

    internal static ScanResult Run(ScanSetup setup, IReadOnlyList<string> roots, string stdinName)
    {
        var runner = new FileScan(setup.Scanner, setup.Walk, setup.Settings.Progress, setup.Settings.Threads);
        var result = new ScanResult();
        var files = roots.Where(r => r != "-").ToList();
        if (files.Count > 0) runner.Run(files, result);
        if (roots.Contains("-"))
        {
            using var stdin = Console.OpenStandardInput();
            runner.RunStdin(stdin, stdinName, result);
        }
        return result;
    }
}
