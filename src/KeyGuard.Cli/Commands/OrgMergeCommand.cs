using System.CommandLine;
using KeyGuard.Org;

namespace KeyGuard.Cli.Commands;

/// <summary>keyguard org-merge: combines shard outputs (each with its state.db) into one state and one summary.</summary>
internal static class OrgMergeCommand
{
    public static Command Create()
    {
        var shards = new Argument<string[]>("SHARD_DIR") { Description = "Output folders of org-scan shards (each holds state.db), or state files.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Folder for the merged reports and summary.", Required = true };
        var statePath = new Option<string?>("--state") { Description = "Merged state file (default: OUT/state.db)." };
        var plan = new Option<bool>("--plan") { Description = "Add an offline remediation plan per exposed key." };
        var rotated = new Option<string[]>("--mark-rotated") { HelpName = "FP|KEYID", Description = "Mark findings with this fingerprint or key ID rotated (repeatable); kept across later merges." };
        var scan = new OrgScanOptions();
        var command = new Command("org-merge", "Merge the results and state of org-scan shards into one summary and state.");
        command.Arguments.Add(shards);
        command.Options.Add(output);
        command.Options.Add(statePath);
        command.Options.Add(plan);
        command.Options.Add(rotated);
        var verify = new Option<bool>("--verify") { Description = "Ask IAM, with your credentials, who owns each exposed key of the merged shards; implies --plan, whose plans then name owners and steps." };
        command.Options.Add(verify);
        scan.AddTo(command);
        var aws = AwsOptions.AddTo(command);
        command.SetAction(p =>
        {
            var outDir = p.GetValue(output)!;
            // Off a terminal stderr is JSON-lines events, as for org-scan: a merge's errors are events too.
            var stderr = scan.Stderr(p);
            // A shard that left no state (its pod or job died) is reported; the others are still merged, exit 3.
            var args = p.GetValue(shards)!;
            var sources = args.Select(StateFileOf).Where(f => f != null).Select(f => f!).ToList();
            var missing = args.Where(a => StateFileOf(a) == null).ToList();
            foreach (var m in missing) stderr.Error(m, "shard-missing", $"org-merge: {m}: no state.db (did this shard run?)");
            if (sources.Count == 0) throw new InvalidInputException("org-merge: no shard state found (give org-scan --out folders or state files)");
            var target = Path.GetFullPath(p.GetValue(statePath) ?? Path.Combine(outDir, "state.db"));
            if (sources.Any(s => Path.GetFullPath(s) == target)) throw new InvalidInputException($"--state: {target} is also an input");
            // A merge is rebuilt from its shards, never accumulated; only the rotation marks made on it are carried over.
            var marks = new List<(string, string)>();
            if (File.Exists(target))
            {
                try { using (var previous = OrgState.Open(target)) marks.AddRange(previous.RotationMarks()); }
                catch (Exception e) when (e is InvalidInputException or Microsoft.Data.Sqlite.SqliteException)
                {
                    stderr.Error("*", "previous-merge-unreadable", $"org-merge: {target}: previous merge unreadable, its rotation marks are lost ({e.Message})");
                }
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                File.Delete(target);
                foreach (var side in new[] { "-wal", "-shm" }) File.Delete(target + side);
            }
            SecureDirectory.Create(outDir);
            using var state = OrgState.Open(target);
            // A damaged shard (truncated, empty, some other SQLite file) is named and skipped like a missing one.
            int merged = 0;
            foreach (var source in sources)
            {
                try
                {
                    state.MergeFrom(source);
                    merged++;
                }
                catch (BadShardException e) { stderr.Error(source, "shard-damaged", $"org-merge: {source}: {e.Message}"); }
            }
            state.ApplyRotationMarks(marks);
            foreach (var mark in p.GetValue(rotated) ?? [])
            {
                int n = state.MarkRotated(mark);
                if (n == 0) stderr.Error("*", "mark-not-found", $"org-merge: --mark-rotated: {mark}: no merged finding has this fingerprint or key ID");
                else stderr.Tell("*", "marked-rotated", $"marked {n} finding{(n == 1 ? "" : "s")} rotated ({mark})");
            }
            var setup = scan.CreateSetup(p);
            var summary = OrgSummary.Build(state, null, p.GetValue(plan));
            // One lookup per exposed key of the whole organisation, after the shards are merged (not once per shard).
            if (p.GetValue(verify))
            {
                var facts = OrgVerify.Facts(summary, aws.Read(p), (key, message) => stderr.Error(key, "verify-error", message));
                if (facts == null) return ExitCodes.AwsError;
                summary = OrgSummary.Build(state, null, plan: true, facts);
            }
            OrgOutput.Write(summary, outDir, setup.Rules.Rules);
            Console.WriteLine($"{summary.Repos.Count} repositories from {merged} shards, {summary.Failed.Count()} failed: {summary.Total("new")} new, " +
                              $"{summary.Total("open")} open, {summary.Total("rotated")} rotated, {summary.Total("resolved")} resolved findings");
            return missing.Count > 0 || merged < sources.Count ? ExitCodes.ScanError : scan.Exit(p, summary.ExitCode);
        });
        return command;
    }

    private static string? StateFileOf(string arg)
    {
        var file = Directory.Exists(arg) ? Path.Combine(arg, "state.db") : arg;
        return File.Exists(file) ? file : null;
    }
}
