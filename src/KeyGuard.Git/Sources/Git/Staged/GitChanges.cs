using LibGit2Sharp;

namespace KeyGuard.Sources.Git.Staged;

/// <summary>
/// What a change adds, file by file: the index against HEAD (pre-commit), or a commit against its parents
/// (pre-push). Renames are detected so a moved file reports only the lines that changed in the move; deleted files
/// and submodules have nothing to scan. Files come from LibGit2Sharp's tree diff; added lines from
/// <see cref="LineDiff"/> on the decoded blobs (UTF-16 included, which git would call binary).
/// </summary>
internal static class GitChanges
{
    /// <summary>Above this size a modified blob is not diffed: all its lines count.</summary>
    public const long MaxDiffBytes = 16 << 20;

    private static CompareOptions Options => new() { Similarity = SimilarityOptions.Renames };

    /// <summary>The staged changes: <paramref name="repo"/>'s index against HEAD (or against nothing on the first commit).</summary>
    public static List<ChangedFile> Staged(Repository repo, bool wholeFiles = false)
    {
        if (GitCliDiffIndex.TryStaged(repo) is { } raw) return Collect(repo, raw, wholeFiles);
        var changes = repo.Diff.Compare<TreeChanges>(repo.Head.Tip?.Tree, DiffTargets.Index, null, null, Options);
        return Collect(repo, changes, wholeFiles);
    }

    private const string SubmoduleMode = "160000";

    private static List<ChangedFile> Collect(Repository repo, List<RawChange> changes, bool wholeFiles)
    {
        var files = new List<ChangedFile>();
        foreach (var c in changes)
        {
            // Deleted and unmerged entries have nothing to commit yet; submodules are commits, not files.
            if (c.Status is 'D' or 'U' or 'X' || c.NewMode == SubmoduleMode) continue;
            bool isNew = c.Status == 'A' || c.OldMode is SubmoduleMode or "000000";
            var newBlob = new ObjectId(c.NewSha);
            IReadOnlySet<int>? added = wholeFiles || isNew ? null
                : c.OldSha == c.NewSha ? new HashSet<int>()
                : AddedLines(repo, new ObjectId(c.OldSha), newBlob);
            if (added is { Count: 0 }) continue;
            files.Add(new ChangedFile(c.Path, newBlob, added) { OldPath = c.OldPath });
        }
        return files;
    }

    /// <summary>
    /// What <paramref name="commit"/> adds: against its parent, or for a merge the lines new against every parent
    /// (a conflict resolution or an evil merge), since what a parent brought is checked with that parent's commits.
    /// </summary>
    public static List<ChangedFile> OfCommit(Repository repo, Commit commit)
    {
        var parents = commit.Parents.ToList();
        if (parents.Count <= 1)
            return Collect(repo, repo.Diff.Compare<TreeChanges>(parents.FirstOrDefault()?.Tree, commit.Tree, Options), wholeFiles: false);
        List<ChangedFile>? common = null;
        foreach (var parent in parents)
        {
            var against = Collect(repo, repo.Diff.Compare<TreeChanges>(parent.Tree, commit.Tree, Options), wholeFiles: false)
                .ToDictionary(f => f.Path, StringComparer.Ordinal);
            common = common == null ? against.Values.ToList() : Intersect(common, against);
        }
        return common!;
    }

    internal static List<ChangedFile> Intersect(List<ChangedFile> files, Dictionary<string, ChangedFile> other)
    {
        var kept = new List<ChangedFile>();
        foreach (var f in files)
        {
            if (!other.TryGetValue(f.Path, out var o)) continue;
            IReadOnlySet<int>? lines = f.AddedLines == null ? o.AddedLines
                : o.AddedLines == null ? f.AddedLines
                : f.AddedLines.Where(o.AddedLines.Contains).ToHashSet();
            if (lines is { Count: 0 }) continue;
            kept.Add(f with { AddedLines = lines });
        }
        return kept;
    }

    private static List<ChangedFile> Collect(Repository repo, TreeChanges changes, bool wholeFiles)
    {
        var files = new List<ChangedFile>();
        foreach (var entry in changes)
        {
            // Conflicted entries cannot be committed (git refuses); they are checked once resolved.
            if (entry.Status is ChangeKind.Deleted or ChangeKind.Unmodified or ChangeKind.Ignored or ChangeKind.Untracked or ChangeKind.Conflicted) continue;
            if (!entry.Exists || entry.Mode is Mode.GitLink or Mode.Directory or Mode.Nonexistent) continue;
            bool isNew = !entry.OldExists || entry.OldMode is Mode.GitLink or Mode.Nonexistent || entry.OldOid == ObjectId.Zero;
            IReadOnlySet<int>? added = wholeFiles || isNew ? null
                : entry.OldOid == entry.Oid ? new HashSet<int>()   // a pure rename or a mode change adds no line
                : AddedLines(repo, entry.OldOid, entry.Oid);
            if (added is { Count: 0 }) continue;
            files.Add(new ChangedFile(entry.Path, entry.Oid, added) { OldPath = entry.OldPath != entry.Path ? entry.OldPath : null });
        }
        return files;
    }

    private static IReadOnlySet<int>? AddedLines(Repository repo, ObjectId oldBlob, ObjectId newBlob)
    {
        var older = Lines(repo, oldBlob);
        var newer = Lines(repo, newBlob);
        return older == null || newer == null ? null : LineDiff.Added(older, newer);
    }

    /// <summary>The blob's lines as the scanner numbers them (split on '\n'); null when too big to diff.</summary>
    private static string[]? Lines(Repository repo, ObjectId id)
    {
        var blob = repo.Lookup<Blob>(id);
        return blob == null || blob.Size > MaxDiffBytes ? null : BlobText.Decode(blob).Split('\n');
    }
}
