using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// Walks commits oldest first and diffs each tree against its parent(s): only the (blob, path) pairs a commit adds
/// are recorded, so cost follows the size of the changes, not of the trees. A merge adds a pair only when no
/// parent already had that blob at that path (its resolution), like git's combined diff.
/// </summary>
internal sealed class HistoryWalker(string gitDir, HistoryIndex index, Func<string, bool> pathFilter, bool useGit = true)
{
    /// <summary>
    /// The walk reopens its repository handle after this many commits: libgit2 caches every tree it reads (up to 256 MB
    /// per handle), and a fresh handle bounds that while keeping the locality between neighbouring commits.
    /// </summary>
    public const int CommitsPerHandle = 1000;

    private static readonly CompareOptions TreeOnly = new() { Similarity = SimilarityOptions.None, IncludeUnmodified = false, ContextLines = 0 };

    public List<(string Where, string Message)> Errors { get; } = [];

    /// <param name="onCommit">Called for each commit first (commit messages are scanned there).</param>
    /// <param name="onNewBlob">Called once per distinct blob, with the place that first added it and, when it replaced a
    /// known blob at that path, that blob's index and id (the base for incremental scanning); else -1 and null.</param>
    public void Walk(IReadOnlyList<ObjectId> commitIds, Action<CommitInfo, Commit> onCommit, Action<BlobRecord, int, ObjectId?> onNewBlob)
    {
        Repository? repo = null;
        _gitDiffs = useGit ? GitTreeDiffs.TryStart(gitDir, commitIds) : null;
        try
        {
            for (int k = 0; k < commitIds.Count; k++)
            {
                if (repo == null || k % CommitsPerHandle == 0) { repo?.Dispose(); repo = new Repository(gitDir); }
                Commit? commit;
                try { commit = repo.Lookup<Commit>(commitIds[k]); }
                catch (LibGit2SharpException e) { Errors.Add((commitIds[k].Sha, $"cannot read the commit: {e.Message.Trim()}")); continue; }
                if (commit == null) { Errors.Add((commitIds[k].Sha, "commit missing from the object database")); continue; }
                WalkOne(repo, commit, k, onCommit, onNewBlob);
            }
        }
        finally
        {
            repo?.Dispose();
            DiffedByGit = _gitDiffs is { Failed: false };
            _gitDiffs?.Dispose();
        }
    }

    private GitTreeDiffs? _gitDiffs;

    /// <summary>Whether git diffed every commit's tree (else libgit2 did, for all or the rest).</summary>
    public bool DiffedByGit { get; private set; }

    private void WalkOne(Repository repo, Commit commit, int k, Action<CommitInfo, Commit> onCommit, Action<BlobRecord, int, ObjectId?> onNewBlob)
    {
        var author = commit.Author;
        var info = new CommitInfo(index.Commits.Count, commit.Sha, author.Name, author.Email, author.When);
        index.Commits.Add(info);
        index.CommitIndexById[commit.Id] = info.Index;
        onCommit(info, commit);
        try
        {
            index.FirstParentChanges.Add(Diff(repo, commit, k, info, onNewBlob));
        }
        catch (LibGit2SharpException e)
        {
            index.FirstParentChanges.Add([]);
            Errors.Add((commit.Sha, $"cannot read the commit's tree or its parent's: {e.Message.Trim()}"));
        }
    }

    private PathChange[] Diff(Repository repo, Commit commit, int k, CommitInfo info, Action<BlobRecord, int, ObjectId?> onNewBlob)
    {
        var parents = commit.Parents.ToList();
        var changes = _gitDiffs?.Next(commit.Id, k)
                      ?? repo.Diff.Compare<TreeChanges>(parents.Count > 0 ? parents[0].Tree : null, commit.Tree, TreeOnly)
                          .Where(c => c.Status != ChangeKind.Unmodified).Select(TreeChange.From).ToList();
        var firstParentChanges = new List<PathChange>();
        foreach (var change in changes)
        {
            var path = change.Path;
            if (change.NewExists && change.NewMode == Mode.GitLink) index.Submodules[path] = change.NewOid!.Sha;
            bool newIsFile = change.NewExists && IsFile(change.NewMode);
            bool oldIsFile = change.OldExists && IsFile(change.OldMode);
            if (!newIsFile && !oldIsFile) continue;
            if (!pathFilter(path)) continue;
            int pathIndex = index.InternPath(path);
            if (newIsFile && !(parents.Count > 1 && FromOtherParent(parents, path, change.NewOid!)))
            {
                var fresh = index.AddPlace(change.NewOid!, new BlobPlace(info.Index, pathIndex));
                if (fresh != null)
                {
                    int baseBlob = oldIsFile ? index.BlobIndexOf(change.OldOid) : -1;
                    onNewBlob(fresh, baseBlob, baseBlob >= 0 ? change.OldOid : null);
                }
            }
            int oldBlob = oldIsFile ? index.BlobIndexOf(change.OldOid) : -1;
            int newBlob = newIsFile ? index.BlobIndexOf(change.NewOid) : -1;
            if (oldBlob >= 0 || newBlob >= 0) firstParentChanges.Add(new PathChange(pathIndex, oldBlob, newBlob));
        }
        return firstParentChanges.ToArray();
    }

    /// <summary>True when a merge's other parent already had this blob at this path (and it is known), so the merge did not add it.</summary>
    private bool FromOtherParent(List<Commit> parents, string path, ObjectId oid)
    {
        if (index.BlobIndexOf(oid) < 0) return false;
        for (int i = 1; i < parents.Count; i++)
            if (parents[i].Tree[path]?.Target.Id == oid) return true;
        return false;
    }

    private static bool IsFile(Mode mode) => mode is Mode.NonExecutableFile or Mode.ExecutableFile or Mode.NonExecutableGroupWritableFile;
}
