using System.CommandLine;
using KeyGuard.Reporting;
using KeyGuard.Scanning;
using KeyGuard.Suppression;

namespace KeyGuard.Cli.Commands;

internal static class BaselineCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Files or directories to scan (default: .).", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Baseline file to write.", Required = true };
        var update = new Option<bool>("--update") { Description = "Keep the existing file's entries (and fields such as reason), add the new findings." };
        var scan = new ScanOptions();
        var create = new Command("create", "Record current findings as accepted: keyed on a hash of rule and secret, never plaintext.");
        create.Arguments.Add(paths);
        create.Options.Add(output);
        create.Options.Add(update);
        scan.AddTo(create);
        create.SetAction(p =>
        {
            var roots = p.GetValue(paths) is { Length: > 0 } given ? given : ["."];
            var file = p.GetValue(output)!;
            // Read the baseline being updated first: a file KeyGuard cannot read is a usage error, and stays as it is.
            var existing = p.GetValue(update) && File.Exists(file) ? Baseline.Load(file) : null;
            var settings = scan.Read(p);
            var configRoot = ScanSetup.ConfigRootFor(roots[0]);
            // The same git-secrets rules as scan and the hooks, so a baseline accepts what they would report. Every
            // finding is recorded, even one the configured baseline already accepts; the output file is not scanned.
            var setup = ScanSetup.Create(settings, configRoot, applyBaseline: false, excludeFiles: [file]);
            var result = ScanCommand.Run(setup, roots, "stdin");
            setup.Finish(result);
            foreach (var e in result.Errors) Console.Error.WriteLine($"keyguard: {ControlCharacters.Escape(e.Path)}: {ControlCharacters.Escape(e.Message)}");
            if (result.Errors.Count > 0)
            {
                // A partial scan would drop the entries of whatever it could not read: keep the old file instead.
                Console.Error.WriteLine($"keyguard: {file}: not written, because the scan had errors");
                return ExitCodes.ScanError;
            }
            var baseline = existing?.With(result.Findings) ?? Baseline.FromFindings(result.Findings);
            try { baseline.Save(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"--output: {file}: {e.Message}"); }
            int added = baseline.Entries.Count - (existing?.Entries.Count ?? 0);
            Console.Error.WriteLine($"keyguard: wrote {Entries(baseline.Entries.Count)} to {file}{(existing != null ? $" ({added} new)" : "")}");
            return ExitCodes.Clean;
        });
        var command = new Command("baseline", "Manage baseline files of accepted findings.");
        command.Subcommands.Add(create);
        return command;
    }

    private static string Entries(int n) => n == 1 ? "1 baseline entry" : $"{n} baseline entries";
}
