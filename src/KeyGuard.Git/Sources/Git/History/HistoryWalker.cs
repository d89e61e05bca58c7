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

    /// <param name="onCommit">Called for each commit first, with its message (commit messages are scanned there).</param>
    /// <param name="onNewBlob">Called once per distinct blob, with the place that first added it and, when it replaced a
    /// known blob at that path, that blob's index and id (the base for incremental scanning); else -1 and null.</param>
    public void Walk(IReadOnlyList<ObjectId> commitIds, Action<CommitInfo, string> onCommit, Action<BlobRecord, int, ObjectId?> onNewBlob)
    {
        _gitDiffs = useGit && commitIds.Count > 0 ? GitTreeDiffs.TryStart(gitDir, commitIds) : null;
        try
        {
            for (int k = 0; k < commitIds.Count; k++)
            {
                if (k % CommitsPerHandle == 0) { _repo?.Dispose(); _repo = null; }
                // git describes the commit and its changes; without git (or once it failed) libgit2 reads both.
                if (_gitDiffs?.Next(commitIds[k], k) is { } described)
                {
                    var (meta, changes) = described;
                    var info = Record(commitIds[k], meta.Author, meta.Email, meta.Date, meta.Parents);
                    onCommit(info, meta.Message);
                    index.FirstParentChanges.Add(Apply(commitIds[k], meta.Parents, changes, info, onNewBlob));
                    continue;
                }
                Commit? commit;
                try { commit = Repo.Lookup<Commit>(commitIds[k]); }
                catch (LibGit2SharpException e) { Errors.Add((commitIds[k].Sha, $"cannot read the commit: {e.Message.Trim()}")); continue; }
                if (commit == null) { Errors.Add((commitIds[k].Sha, "commit missing from the object database")); continue; }
                WalkOne(commit, onCommit, onNewBlob);
            }
        }
        finally
        {
            _repo?.Dispose();
            DiffedByGit = _gitDiffs is { Failed: false };
            _gitDiffs?.Dispose();
        }
    }

    private GitTreeDiffs? _gitDiffs;
    private Repository? _repo;

    /// <summary>libgit2's handle, opened when first needed (git failing, or a merge to check) and renewed every
    /// <see cref="CommitsPerHandle"/> commits.</summary>
    private Repository Repo => _repo ??= new Repository(gitDir);

    /// <summary>Whether git diffed every commit's tree (else libgit2 did, for all or the rest).</summary>
    public bool DiffedByGit { get; private set; }

    private CommitInfo Record(ObjectId id, string author, string email, DateTimeOffset date, IReadOnlyList<ObjectId> parents)
    {
        var info = new CommitInfo(index.Commits.Count, id.Sha, author, email, date);
        index.Commits.Add(info);
        index.CommitIndexById[id] = info.Index;
        if (parents.Count > 0 && !index.CommitIndexById.ContainsKey(parents[0])) index.FirstParentsOutside[info.Index] = parents[0];
        index.FirstParents.Add(parents.Count > 0 && index.CommitIndexById.TryGetValue(parents[0], out int p) ? p : -1);
        return info;
    }

    private void WalkOne(Commit commit, Action<CommitInfo, string> onCommit, Action<BlobRecord, int, ObjectId?> onNewBlob)
    {
        var author = commit.Author;
        var parents = commit.Parents.Select(p => p.Id).ToList();
        var info = Record(commit.Id, author.Name, author.Email, author.When, parents);
        onCommit(info, commit.Message ?? "");
        // A parent that cannot be read leaves nothing to diff against: the commit is scanned whole (every file as
        // if it added it) and the hole is an error, rather than the commit being lost with its parent.
        Tree? parentTree = null;
        if (parents.Count > 0)
        {
            string? problem = null;
            try
            {
                parentTree = Repo.Lookup<Commit>(parents[0])?.Tree;
                if (parentTree == null) problem = "missing from the object database";
            }
            catch (LibGit2SharpException e) { problem = e.Message.Trim(); }
            if (problem != null)
                Errors.Add((commit.Sha, $"cannot read its parent {parents[0].Sha[..12]} ({problem}); every file of the commit was scanned"));
        }
        try
        {
            var changes = Repo.Diff.Compare<TreeChanges>(parentTree, commit.Tree, TreeOnly)
                .Where(c => c.Status != ChangeKind.Unmodified).Select(TreeChange.From).ToList();
            index.FirstParentChanges.Add(Apply(commit.Id, parents, changes, info, onNewBlob));
        }
        catch (LibGit2SharpException e)
        {
            index.FirstParentChanges.Add([]);
            Errors.Add((commit.Sha, $"cannot read the commit's tree or its parent's: {e.Message.Trim()}"));
        }
    }

    private PathChange[] Apply(ObjectId commit, IReadOnlyList<ObjectId> parents, List<TreeChange> changes, CommitInfo info, Action<BlobRecord, int, ObjectId?> onNewBlob)
    {
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
            if (newIsFile && !(parents.Count > 1 && FromOtherParent(commit, parents, path, change.NewOid!)))
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
    private bool FromOtherParent(ObjectId commit, IReadOnlyList<ObjectId> parents, string path, ObjectId oid)
    {
        if (index.BlobIndexOf(oid) < 0) return false;
        try
        {
            for (int i = 1; i < parents.Count; i++)
                if (Repo.Lookup<Commit>(parents[i])?.Tree[path]?.Target.Id == oid) return true;
        }
        catch (LibGit2SharpException e) { Errors.Add((commit.Sha, $"cannot read a parent of the merge: {e.Message.Trim()}")); }
        return false;
    }

    private static bool IsFile(Mode mode) => mode is Mode.NonExecutableFile or Mode.ExecutableFile or Mode.NonExecutableGroupWritableFile;
}
