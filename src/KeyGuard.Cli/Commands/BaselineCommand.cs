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
        var scan = new ScanOptions();
        var create = new Command("create", "Record current findings as accepted: keyed on a hash of rule and secret, never plaintext.");
        create.Arguments.Add(paths);
        create.Options.Add(output);
        scan.AddTo(create);
        create.SetAction(p =>
        {
            var roots = p.GetValue(paths) is { Length: > 0 } given ? given : ["."];
            var settings = scan.Read(p);
            var configRoot = ScanSetup.ConfigRootFor(roots[0]);
            // The same git-secrets rules as scan and the hooks, so a baseline accepts what they would report.
            var gitSecrets = KeyGuard.Hooks.GitSecretsConfig.Load(settings, configRoot);
            var setup = ScanSetup.Create(settings, configRoot, gitSecrets.Rules, gitSecrets.AllowedPatterns);
            var result = ScanCommand.Run(setup, roots, "stdin");
            setup.Finish(result);
            var file = p.GetValue(output)!;
            try { Baseline.FromFindings(result.Findings).Save(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"--output: {file}: {e.Message}"); }
            foreach (var e in result.Errors) Console.Error.WriteLine($"keyguard: {ControlCharacters.Escape(e.Path)}: {ControlCharacters.Escape(e.Message)}");
            Console.Error.WriteLine($"keyguard: wrote {result.Findings.Select(f => f.Fingerprint).Distinct().Count()} baseline entries to {file}");
            return result.Errors.Count > 0 ? ExitCodes.ScanError : ExitCodes.Clean;
        });
        var command = new Command("baseline", "Manage baseline files of accepted findings.");
        command.Subcommands.Add(create);
        return command;
    }
}
