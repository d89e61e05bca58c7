using System.CommandLine;
using KeyGuard.Hooks;
using KeyGuard.Scanning;

namespace KeyGuard.Cli.Commands;

/// <summary>
/// <c>keyguard hook pre-commit | commit-msg FILE | prepare-commit-msg FILE [SOURCE [SHA]] | pre-push REMOTE [URL]</c>:
/// what the installed git hooks run. Silent and exit 0 when clean; a blocked step prints why and how to proceed on
/// stderr and exits 1 (3 when something could not be checked).
/// </summary>
internal static class HookCommand
{
    public static Command Create()
    {
        var command = new Command("hook", "Run a git hook check (the scripts keyguard install writes call these).");
        command.Subcommands.Add(PreCommit());
        command.Subcommands.Add(CommitMsg());
        command.Subcommands.Add(PrepareCommitMsg());
        command.Subcommands.Add(PrePush());
        command.Subcommands.Add(PreReceive());
        return command;
    }

    internal static Option<int> ReceiveTimeoutOption() => new("--timeout")
    {
        HelpName = "SECONDS", Description = "pre-receive: time budget for the check (default 60).", DefaultValueFactory = _ => 60,
    };

    internal static Option<string> OnTimeoutOption()
    {
        var o = new Option<string>("--on-timeout")
        {
            Description = "pre-receive: when the budget runs out, reject the push (fail closed, the default) or accept it with a warning (fail open).",
            DefaultValueFactory = _ => "reject",
        };
        o.AcceptOnlyFromAmong("reject", "accept");
        return o;
    }

    private static Command PreReceive()
    {
        var common = new Common();
        var timeout = ReceiveTimeoutOption();
        var onTimeout = OnTimeoutOption();
        var c = new Command("pre-receive", "Server side: check what a push brings (lines '<old> <new> <ref>' on stdin, as git writes them), inside git's quarantine.");
        common.AddTo(c);
        c.Options.Add(timeout);
        c.Options.Add(onTimeout);
        c.SetAction(p =>
        {
            int seconds = p.GetValue(timeout);
            if (seconds <= 0) throw new InvalidInputException("--timeout must be 1 or more seconds");
            var refs = ReceivedRef.ReadAll(Console.In);
            bool timedOut = false;
            int exit = common.Run(p, HookKind.PreReceive, ctx =>
            {
                var outcome = ReceiveCheck.Run(ctx, refs, TimeSpan.FromSeconds(seconds));
                timedOut = outcome.TimedOut;
                return outcome.Result;
            });
            if (!timedOut || exit != ExitCodes.Clean) return exit;
            if (p.GetValue(onTimeout) == "accept")
            {
                Console.Error.WriteLine($"keyguard: warning: the check did not finish within {seconds} s; push accepted unchecked past that point (--on-timeout accept)");
                return ExitCodes.Clean;
            }
            Console.Error.WriteLine($"keyguard: push rejected: the check did not finish within {seconds} s (the server's --on-timeout is reject); try a smaller push, or ask the administrators");
            return ExitCodes.ScanError;
        });
        return c;
    }

    private sealed class Common
    {
        public readonly ScanOptions Scan = new();
        public readonly Option<bool> ShowSecrets = new("--show-secrets") { Description = "Print secrets in full (default: redacted)." };
        public readonly Option<bool> NoColor = new("--no-color") { Description = "No colour, even on a terminal." };

        public void AddTo(Command c)
        {
            Scan.AddTo(c, forHook: true);
            c.Options.Add(ShowSecrets);
            c.Options.Add(NoColor);
        }

        /// <summary>The scan options given to this hook, as tokens for <c>keyguard scan</c>.</summary>
        public List<string> Forwarded(ParseResult p, Command hook)
        {
            var tokens = new List<string>();
            var ours = new HashSet<Option>(new Option[] { ShowSecrets, NoColor });
            foreach (var o in hook.Options)
            {
                if (!ours.Contains(o) && !IsScanOption(o)) continue;
                if (p.GetResult(o) is not { Implicit: false } r) continue;
                if (r.Tokens.Count == 0) { tokens.Add(o.Name); continue; }
                foreach (var t in r.Tokens) { tokens.Add(o.Name); tokens.Add(t.Value); }
            }
            return tokens;
        }

        private bool IsScanOption(Option o) =>
            o == Scan.Config || o == Scan.Patterns || o == Scan.EnableRule || o == Scan.DisableRule || o == Scan.Include || o == Scan.Exclude
            || o == Scan.NoIgnore || o == Scan.FollowSymlinks || o == Scan.Threads || o == Scan.NoGitSecretsConfig;

        /// <summary>Opens the repository of the current directory, runs <paramref name="check"/>, reports, returns the exit code.</summary>
        public int Run(ParseResult p, HookKind kind, Func<HookContext, ScanResult> check)
        {
            try
            {
                using var ctx = HookContext.Open(Scan.Read(p), Environment.CurrentDirectory);
                var result = check(ctx);
                bool color = TerminalColors.For(Console.IsErrorRedirected, p.GetValue(NoColor));
                BlockedReport.Write(Console.Error, result, kind, p.GetValue(ShowSecrets), color, ctx.GitSecrets.Warnings);
                return result.ExitCode;
            }
            catch (Exception e) when (e is LibGit2Sharp.LibGit2SharpException or IOException)
            {
                // A locked or damaged repository: the step cannot be checked, so it is stopped (exit 3), in one line.
                Console.Error.WriteLine($"keyguard: {Environment.CurrentDirectory}: git: {e.Message.Split('\n')[0]}" +
                                        (kind == HookKind.PreReceive ? "; push rejected" : " (bypass once with --no-verify)"));
                return ExitCodes.ScanError;
            }
        }
    }

    private static Command PreCommit()
    {
        var common = new Common();
        var allStaged = new Option<bool>("--all-staged") { Description = "Check staged files whole, not only the lines the commit adds." };
        var files = new Argument<string[]>("FILE")
        {
            Description = "pre-commit framework: the files it names. Staged ones get the staged check; when nothing is staged (pre-commit run --all-files / --files) they are scanned whole, as they are in the working tree.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var c = new Command("pre-commit", "Check the staged changes (the index, not the working tree) for secrets on added lines. Under the pre-commit framework, a range it gives (PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF: pre-push, run --from-ref/--to-ref) is scanned as commits instead.");
        c.Options.Add(allStaged);
        c.Arguments.Add(files);
        common.AddTo(c);
        c.SetAction(async (p, ct) =>
        {
            var names = p.GetValue(files) ?? [];
            if (PreCommitFrameworkRange() is { } range)
                return await DelegateToScan(common.Forwarded(p, c), ["--range", range], ct);
            bool wholeFiles = false;
            int exit = common.Run(p, HookKind.PreCommit, ctx =>
            {
                if (names.Length > 0 && StagedCheck.NothingStaged(ctx)) { wholeFiles = true; return new ScanResult(); }
                return StagedCheck.Run(ctx, p.GetValue(allStaged), names.Length > 0 ? names : null);
            });
            if (!wholeFiles) return exit;
            // pre-commit run --all-files or --files: nothing is being committed, so the named files are checked whole
            // (a secret committed long ago is found, not passed over in silence). Files gone from the work tree are skipped.
            var present = names.Where(n => File.Exists(n) || Directory.Exists(n)).ToArray();
            return present.Length == 0 ? ExitCodes.Clean : await DelegateToScan(common.Forwarded(p, c), ["--", .. present], ct);
        });
        return c;
    }

    /// <summary>The range pre-commit gives its hooks (pre-push, run --from-ref/--to-ref) as FROM..TO, or null.</summary>
    internal static string? PreCommitFrameworkRange()
    {
        var from = Environment.GetEnvironmentVariable("PRE_COMMIT_FROM_REF");
        var to = Environment.GetEnvironmentVariable("PRE_COMMIT_TO_REF");
        if (string.IsNullOrEmpty(to)) return null;
        // A new branch pushed with no remote commits below it: pre-commit names no FROM; every commit up to TO counts.
        return string.IsNullOrEmpty(from) || from.Trim('0').Length == 0 ? to : $"{from}..{to}";
    }

    /// <summary>Runs <c>keyguard scan</c> with the hook's scan options, in the current directory.</summary>
    private static async Task<int> DelegateToScan(IEnumerable<string> options, IEnumerable<string> args, CancellationToken ct)
    {
        var root = new RootCommand();
        root.Subcommands.Add(ScanCommand.Create());
        var parse = root.Parse(["scan", "--no-progress", .. options, .. args]);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) Console.Error.WriteLine($"keyguard: {e.Message}");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, ct);
    }

    private static Command CommitMsg()
    {
        var common = new Common();
        var file = new Argument<string>("FILE") { Description = "The file holding the commit message (git passes it)." };
        var c = new Command("commit-msg", "Check the commit message for secrets (comment lines are skipped).");
        c.Arguments.Add(file);
        common.AddTo(c);
        c.SetAction(p => common.Run(p, HookKind.CommitMsg, ctx => CommitMessageCheck.Run(ctx, p.GetValue(file)!)));
        return c;
    }

    private static Command PrepareCommitMsg()
    {
        var common = new Common();
        var file = new Argument<string>("FILE") { Description = "The commit message file (git passes it)." };
        var rest = new Argument<string[]>("SOURCE") { Description = "Message source and commit, as git passes them.", Arity = ArgumentArity.ZeroOrMore };
        var c = new Command("prepare-commit-msg", "During a merge (MERGE_HEAD exists), check what the merge brings in.");
        c.Arguments.Add(file);
        c.Arguments.Add(rest);
        common.AddTo(c);
        c.SetAction(p => common.Run(p, HookKind.Merge, MergeCheck.Run));
        return c;
    }

    private static Command PrePush()
    {
        var common = new Common();
        var remote = new Argument<string>("REMOTE") { Description = "Remote name (or URL), as git passes it." };
        var url = new Argument<string?>("URL") { Description = "Remote URL, as git passes it.", Arity = ArgumentArity.ZeroOrOne };
        var c = new Command("pre-push", "Check the commits being pushed (refs read from stdin, as git writes them).");
        c.Arguments.Add(remote);
        c.Arguments.Add(url);
        common.AddTo(c);
        c.SetAction(p =>
        {
            var refs = PushedRef.ReadAll(Console.In);
            return common.Run(p, HookKind.PrePush, ctx => PushCheck.Run(ctx, p.GetValue(remote)!, refs));
        });
        return c;
    }
}
