using System.CommandLine;
using KeyGuard.Scanning;
using KeyGuard.Sources.Git.History;
using LibGit2Sharp;
using KeyGuard.Sources;

namespace KeyGuard.Cli.Commands;

/// <summary>
/// <c>keyguard scan --history [REPO]</c>: the git history sweep. Any of --range, --since-commit, --branch,
/// --max-depth, --unreachable or --submodules implies --history.
/// </summary>
internal sealed class HistoryScan
{
    public readonly Option<bool> History = new("--history") { Description = "Scan the git history of REPO (default .): every commit reachable from any ref, and every commit message." };
    public readonly Option<string?> Range = new("--range") { Description = "History: only commits in this range: A..B (in B, not in A), A.. (A..HEAD) or a single revision." };
    public readonly Option<string?> SinceCommit = new("--since-commit") { Description = "History: only commits after SHA (SHA and its ancestors excluded)." };
    public readonly Option<string[]> Branch = new("--branch") { Description = "History: only commits reachable from this branch (repeatable) instead of all refs." };
    public readonly Option<int> MaxDepth = new("--max-depth") { Description = "History: at most N commits, newest first." };
    public readonly Option<bool> Unreachable = new("--unreachable") { Description = "History: also scan commits and blobs no ref reaches (force-pushed away, dropped stashes)." };
    public readonly Option<bool> Submodules = new("--submodules") { Description = "History: sweep checked-out submodules too (default: report them as skipped)." };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { History, Range, SinceCommit, Branch, MaxDepth, Unreachable, Submodules }) command.Options.Add(o);
    }

    public bool Requested(ParseResult p) =>
        p.GetValue(History) || p.GetValue(Range) != null || p.GetValue(SinceCommit) != null || p.GetValue(Branch) is { Length: > 0 }
        || p.GetValue(MaxDepth) != 0 || p.GetValue(Unreachable) || p.GetValue(Submodules);

    /// <summary>
    /// Usage errors print one line and exit 2 here, because System.CommandLine's default handler would otherwise
    /// print a stack trace and exit 1; a repository libgit2 cannot read at all exits 3.
    /// </summary>
    public int Run(ParseResult p, string[] paths, ScanSettings settings, OutputOptions output, Func<ScanResult, bool>? verify = null)
    {
        try
        {
            return Sweep(p, paths, settings, output, verify);
        }
        catch (InvalidInputException e)
        {
            Console.Error.WriteLine($"keyguard: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (LibGit2SharpException e)
        {
            Console.Error.WriteLine($"keyguard: --history: {(paths.Length == 1 ? paths[0] : ".")}: {e.Message.Trim()}");
            return ExitCodes.ScanError;
        }
    }

    private int Sweep(ParseResult p, string[] paths, ScanSettings settings, OutputOptions output, Func<ScanResult, bool>? verify)
    {
        if (paths.Length > 1 || paths.Contains("-"))
            throw new InvalidInputException("--history: give one repository path (default .), not several paths or stdin");
        int maxDepth = p.GetValue(MaxDepth);
        if (maxDepth < 0) throw new InvalidInputException("--max-depth must be 1 or more");
        var repoPath = paths.Length == 1 ? paths[0] : ".";
        // Discovery walks up from a path that does not exist, and would sweep the enclosing repository instead.
        if (!Directory.Exists(repoPath)) throw new InvalidInputException($"--history: {repoPath}: no such directory");
        if (HistorySweep.FindGitDir(repoPath) == null) throw new InvalidInputException($"--history: {repoPath}: not a git repository");

        var setup = ScanSetup.Create(settings, ScanSetup.ConfigRootFor(repoPath));
        SetupWarnings.Print(setup.Warnings);
        var options = new HistoryOptions
        {
            RepositoryPath = repoPath,
            Range = p.GetValue(Range),
            SinceCommit = p.GetValue(SinceCommit),
            Branches = p.GetValue(Branch) ?? [],
            MaxDepth = maxDepth,
            Unreachable = p.GetValue(Unreachable),
            Submodules = p.GetValue(Submodules),
            Threads = settings.Threads,
            Progress = settings.Progress,
        };
        var sweep = new HistorySweep(setup.Scanner, options, PathSelection.Narrowing(setup.Walk)).Run();
        foreach (var note in sweep.Notes) Console.Error.WriteLine($"keyguard: {KeyGuard.Reporting.ControlCharacters.Escape(note)}");
        if (sweep.LfsPointersSkipped > 0)
            Console.Error.WriteLine($"keyguard: skipped {sweep.LfsPointersSkipped} Git LFS pointer file{(sweep.LfsPointersSkipped == 1 ? "" : "s")} (their content is on the LFS server)");

        using var lines = new HistoryLineText(HistorySweep.FindGitDir(repoPath)!);
        setup.Finish(sweep.Result, lines.LineOf);
        int exit = sweep.Result.ExitCode;
        if (verify != null && sweep.Result.Findings.Count > 0 && !verify(sweep.Result)) exit = ExitCodes.AwsError;
        output.Write(p, sweep.Result, setup.Rules.Rules);
        return exit;
    }
}

/// <summary>Reads a finding's line back from its blob or commit message, for allowlist line rules.</summary>
internal sealed class HistoryLineText(string gitDir) : IDisposable
{
    private Repository? _repo;

    public string? LineOf(KeyGuard.Findings.Finding f)
    {
        try
        {
            _repo ??= new Repository(gitDir);
            string? text = f.Source.BlobId is { } blobId ? _repo.Lookup<Blob>(blobId)?.GetContentText()
                : f.Source.Commit is { } sha && f.Source.Kind == KeyGuard.Sources.SourceKind.CommitMessage ? _repo.Lookup<Commit>(sha)?.Message
                : f.Source.Kind == KeyGuard.Sources.SourceKind.TagMessage && KeyGuard.Sources.TagMessages.NameFrom(f.Path) is { } tag ? _repo.Tags[tag]?.Annotation?.Message
                : null;
            return text?.Split('\n').Skip(f.Line - 1).FirstOrDefault()?.TrimEnd('\r');
        }
        catch (LibGit2SharpException) { return null; }
    }

    public void Dispose() => _repo?.Dispose();
}
