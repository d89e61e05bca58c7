using LibGit2Sharp;

namespace KeyGuard.Sources.Git.Staged;

/// <summary>
/// What a change adds, file by file: the index against HEAD (pre-commit), or a commit against its first parent
/// (pre-push). Renames are detected so a moved file reports only the lines that changed in the move; deleted files
/// and submodules have nothing to scan.
/// </summary>
public static class GitChanges
{
    private static CompareOptions Options => new()
    {
        Similarity = SimilarityOptions.Renames,
        ContextLines = 0,
        InterhunkLines = 0,
    };

    /// <summary>The staged changes: <paramref name="repo"/>'s index against HEAD (or against nothing on the first commit).</summary>
    public static List<ChangedFile> Staged(Repository repo, bool wholeFiles = false)
    {
        using var patch = repo.Diff.Compare<Patch>(repo.Head.Tip?.Tree, DiffTargets.Index, null, null, Options);
        return Collect(repo, patch, wholeFiles);
    }

    /// <summary>
    /// What <paramref name="commit"/> adds: against its parent, or for a merge the lines new against every parent
    /// (a conflict resolution or an evil merge), since what a parent brought is checked with that parent's commits.
    /// </summary>
    public static List<ChangedFile> OfCommit(Repository repo, Commit commit)
    {
        var parents = commit.Parents.ToList();
        if (parents.Count <= 1)
        {
            using var patch = repo.Diff.Compare<Patch>(parents.FirstOrDefault()?.Tree, commit.Tree, Options);
            return Collect(repo, patch, wholeFiles: false);
        }
        List<ChangedFile>? common = null;
        foreach (var parent in parents)
        {
            using var patch = repo.Diff.Compare<Patch>(parent.Tree, commit.Tree, Options);
            var against = Collect(repo, patch, wholeFiles: false).ToDictionary(f => f.Path, StringComparer.Ordinal);
            common = common == null ? against.Values.ToList() : Intersect(common, against);
        }
        return common!;
    }

    private static List<ChangedFile> Intersect(List<ChangedFile> files, Dictionary<string, ChangedFile> other)
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

    private static List<ChangedFile> Collect(Repository repo, Patch patch, bool wholeFiles)
    {
        var files = new List<ChangedFile>();
        foreach (var entry in patch)
        {
            if (entry.Status is ChangeKind.Deleted or ChangeKind.Unmodified or ChangeKind.Ignored or ChangeKind.Untracked) continue;
            if (entry.Mode is Mode.GitLink or Mode.Directory or Mode.Nonexistent) continue;
            IReadOnlySet<int>? added;
            bool isNew = entry.Status == ChangeKind.Added || entry.OldOid == null || entry.OldOid == ObjectId.Zero
                         || entry.OldMode == Mode.Nonexistent;
            if (wholeFiles || isNew) added = null;
            else if (entry.IsBinaryComparison) added = LineDifference.Added(repo, entry.OldOid!, entry.Oid);
            else added = entry.AddedLines.Select(l => l.LineNumber).ToHashSet();
            // A pure rename or a mode change adds no line: nothing new can have leaked.
            if (added is { Count: 0 }) continue;
            files.Add(new ChangedFile(entry.Path, entry.Oid, added) { OldPath = entry.OldPath != entry.Path ? entry.OldPath : null });
        }
        return files;
    }
}
