using System.CommandLine;
using KeyGuard.Aws;
using KeyGuard.Enrichment;
using KeyGuard.Scanning;

namespace KeyGuard.Cli.Commands;

internal static class ScanCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Files or directories to scan (default: .); - reads stdin. With --history: the repository.", Arity = ArgumentArity.ZeroOrMore };
        var stdinName = new Option<string>("--stdin-name") { Description = "Path reported for stdin.", DefaultValueFactory = _ => "stdin" };
        var baseline = new Option<string?>("--baseline") { Description = "Report only findings not in this baseline file." };
        var verify = new Option<bool>("--verify") { Description = "Ask IAM, with your own credentials, who owns each found key, whether it is active and when it was last used." };
        var verifyLive = new Option<bool>("--verify-live") { Description = "Also check found pairs with sts:GetCallerIdentity SIGNED WITH THE FOUND KEY (logged in the owner's CloudTrail; implies --verify)." };
        var allowCanary = new Option<bool>("--allow-canary") { Description = "Let --verify-live sign with keys of known canary-token accounts." };
        var allowOthers = new Option<bool>("--allow-other-accounts") { Description = "Let --verify-live sign with found keys IAM does not confirm as your account's (another account's, or unknown): that uses someone else's credential." };
        var scan = new ScanOptions();
        var output = new OutputOptions();
        var history = new HistoryScan();

        var command = new Command("scan", "Scan files, directories or stdin for AWS credentials.");
        command.Arguments.Add(paths);
        command.Options.Add(stdinName);
        command.Options.Add(baseline);
        command.Options.Add(verify);
        command.Options.Add(verifyLive);
        command.Options.Add(allowCanary);
        command.Options.Add(allowOthers);
        var progress = new Option<bool>("--progress") { Description = "Show --verify's IAM lookups on stderr even when it is not a terminal (e.g. a CI log)." };
        command.Options.Add(progress);
        scan.AddTo(command);
        output.AddTo(command);
        history.AddTo(command);
        var aws = AwsOptions.AddTo(command);
        // Key lookups: on a terminal, or forced with --progress; never with --no-progress.
        StderrProgress LookupProgress(ParseResult p) => StderrProgress.For(p.GetValue(progress), p.GetValue(scan.NoProgress));
        LiveCheckPolicy? Live(ParseResult p) => p.GetValue(verifyLive) ? new LiveCheckPolicy(Console.Error, p.GetValue(allowCanary), p.GetValue(allowOthers)) : null;
        command.SetAction(async (p, cancellationToken) =>
        {
            bool verifying = p.GetValue(verify) || p.GetValue(verifyLive);
            if (history.Requested(p))
            {
                var historyAws = verifying ? aws.Read(p) : null;
                return history.Run(p, p.GetValue(paths) ?? [], scan.Read(p, p.GetValue(baseline)), output,
                    historyAws == null ? null : r => VerifyAsync(r, historyAws, Live(p), LookupProgress(p), cancellationToken).GetAwaiter().GetResult());
            }
            var roots = p.GetValue(paths) is { Length: > 0 } given ? given : ["."];
            var settings = scan.Read(p, p.GetValue(baseline));
            // One open of the repository for the config root, its git-secrets settings and its ignore files.
            using var repositories = new KeyGuard.Sources.Git.OpenRepositories();
            var configRoot = ScanSetup.ConfigRootFor(roots.FirstOrDefault(r => r != "-") ?? ".", repositories);
            var setup = ScanSetup.Create(settings, configRoot, repositories: repositories);
            SetupWarnings.Print(setup.Warnings);
            var awsOptions = verifying ? aws.Read(p) : null;
            var stdinNameValue = p.GetValue(stdinName) ?? "stdin";
            var result = Run(setup, roots, stdinNameValue);
            setup.Finish(result, baselineScope: Suppression.Baseline.Scanned(roots, stdinNameValue, setup.BaselinePath));
            int exit = result.ExitCode;
            if (awsOptions != null && result.Findings.Count > 0 &&
                !await VerifyAsync(result, awsOptions, Live(p), LookupProgress(p), cancellationToken))
                exit = ExitCodes.AwsError;
            output.Write(p, result, setup.Rules.Rules);
            return exit;
        });
        return command;
    }

    /// <summary>
    /// Enriches findings with IAM facts. A failed lookup is reported per key and does not stop the scan; only a
    /// failure to start at all (no operator credentials) makes the exit code 4.
    /// </summary>
    internal static async Task<bool> VerifyAsync(ScanResult result, AwsSessionOptions options, LiveCheckPolicy? live, StderrProgress progress, CancellationToken ct)
    {
        using var _ = progress;
        try
        {
            using var lookup = KeyLookup.Open(options,
                new EnrichmentOptions { KeysLookedUp = (_, total) => progress.Step("looking up keys in IAM", total) }, live);
            var facts = await lookup.Enricher.EnrichAsync(FindingFacts.KeysToLookUp(result.Findings, live != null), ct);
            progress.Dispose();
            FindingFacts.Attach(result.Findings, facts);
            foreach (var f in facts.Where(f => f.Error != null)) Console.Error.WriteLine($"keyguard: {f.KeyId}: {f.Error}");
            if (live != null && FindingFacts.LiveSummary(facts) is { } summary) Console.Error.WriteLine($"keyguard: --verify-live: {summary}");
            return true;
        }
        catch (Exception e) when (e is IamException or AwsConfigurationException)
        {
            progress.Dispose();
            Console.Error.WriteLine($"keyguard: --verify: {e.Message}");
            return false;
        }
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
