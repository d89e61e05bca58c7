namespace KeyGuard.Sources.Git.History;

/// <summary>What a history sweep covers. Without narrowing it walks every commit reachable from every ref.</summary>
internal sealed class HistoryOptions
{
    /// <summary>Repository path: a work tree, a folder inside one, or a bare repository.</summary>
    public string RepositoryPath { get; init; } = ".";
    /// <summary>git-style range: <c>A..B</c> (reachable from B, not from A), <c>A..</c> (A..HEAD) or a single revision.</summary>
    public string? Range { get; init; }
    /// <summary>Scan only commits after this one (it and its ancestors are excluded).</summary>
    public string? SinceCommit { get; init; }
    /// <summary>Walk only these branches instead of all refs.</summary>
    public IReadOnlyList<string> Branches { get; init; } = [];
    /// <summary>At most this many commits, newest first; 0 means no limit.</summary>
    public int MaxDepth { get; init; }
    /// <summary>Also scan commits and blobs that no ref reaches (force-pushed away, dropped stashes).</summary>
    public bool Unreachable { get; init; }
    /// <summary>Enter submodule repositories that are checked out, instead of reporting them as skipped.</summary>
    public bool Submodules { get; init; }
    /// <summary>Occurrences kept per finding in <c>Finding.Occurrences</c>; the full count is in occurrenceCount.</summary>
    public int OccurrenceLimit { get; init; } = 100;
    public int Threads { get; init; }
    public bool Progress { get; init; }
    /// <summary>Read through libgit2 alone even when git is installed (as <c>KEYGUARD_GIT=libgit2</c> does for the
    /// whole process): walk-order reads with incremental scans of large files.</summary>
    public bool LibGit2Only { get; init; }

    /// <summary>
    /// Incremental sweeps (org scans): only commits the earlier runs' tips do not reach, and only blobs and annotated
    /// tags not scanned before. Findings stay one per object and place (not folded into one per secret), so a caller
    /// can keep them across runs; the result names the tips and the objects scanned.
    /// </summary>
    public SweepMemory? Since { get; init; }

    /// <summary>Full sweeps scan the packs in process while the walk runs (<see cref="PackBlobScan"/>); tests turn it
    /// off to compare with git's reads.</summary>
    internal bool ReadPacks { get; init; } = true;

    internal bool UseGit => GitCli.Available && !LibGit2Only;

    /// <summary>An incremental sweep that has earlier runs behind it: most of the repository is already scanned.</summary>
    internal bool Rerun => Since is { } m && (m.Tips.Count > 0 || m.Scanned.Count > 0);

    public bool Narrowed => Range != null || SinceCommit != null || Branches.Count > 0 || MaxDepth > 0;
}

/// <summary>What earlier runs of an incremental sweep covered: their ref tips (commits they reach are not walked again)
/// and the ids of the blobs and annotated tags they scanned.</summary>
internal sealed record SweepMemory(IReadOnlyCollection<string> Tips, IReadOnlySet<string> Scanned);
