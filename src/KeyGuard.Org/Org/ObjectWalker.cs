using LibGit2Sharp;

namespace KeyGuard.Org;

/// <summary>A blob to scan and the first place the walk met it.</summary>
internal sealed record BlobVisit(ObjectId Id, string Path, Commit Commit);

/// <summary>
/// The incremental object walk of one repository: commits reachable from the current ref tips but not from the
/// previous run's tips, and in their trees the blobs not scanned before. Subtrees are walked once per run (tree ids
/// are content hashes: a tree met again holds nothing new). Kept separate from the single-repository history sweep
/// so the two can share it later.
/// </summary>
internal sealed class ObjectWalker(Repository git)
{
    /// <summary>Every ref that peels to a commit: branches, tags, remote-tracking branches, notes, stash.</summary>
    public Dictionary<string, string> Tips()
    {
        var tips = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in git.Refs)
        {
            if (r.CanonicalName == "HEAD") continue;
            if (PeelToCommit(r) is { } commit) tips[r.CanonicalName] = commit.Sha;
        }
        return tips;
    }

    /// <summary>The commit a ref ends at, through annotated tags; null for refs to trees or blobs. A ref to a missing object is corruption.</summary>
    private static Commit? PeelToCommit(Reference r)
    {
        var direct = r.ResolveToDirectReference();
        if (direct == null) return null; // a symbolic ref to an unborn branch
        var target = direct.Target ?? throw new OrgRepoException($"corrupt repository: {r.CanonicalName} points to missing object {direct.TargetIdentifier}");
        try { return target.Peel<Commit>(); }
        catch (LibGit2SharpException) { return null; }
    }

    /// <summary>Commits reachable from <paramref name="tips"/> and not from <paramref name="previous"/>, oldest first.</summary>
    public List<Commit> NewCommits(IEnumerable<string> tips, IEnumerable<string> previous)
    {
        var include = tips.Distinct().Select(s => git.Lookup<Commit>(s)).Where(c => c != null).ToList();
        if (include.Count == 0) return [];
        var exclude = previous.Distinct().Select(s => git.Lookup<Commit>(s)).Where(c => c != null).ToList();
        return git.Commits.QueryBy(new CommitFilter
        {
            IncludeReachableFrom = include,
            ExcludeReachableFrom = exclude,
            SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Reverse,
        }).ToList();
    }

    /// <summary>
    /// True when some previous tip is no longer reachable from the current tips (force-push, deleted branch or tag
    /// whose commits no other ref holds): only then can a finding become unreachable, so only then is reachability
    /// recomputed.
    /// </summary>
    public bool LostHistory(IReadOnlyCollection<string> previous, IReadOnlyCollection<string> current)
    {
        var gone = previous.Except(current).Distinct().ToList();
        if (gone.Count == 0) return false;
        if (gone.Any(s => git.Lookup<Commit>(s) == null)) return true;
        return NewCommits(gone, current).Count > 0;
    }

    /// <summary>
    /// Blobs in the trees of <paramref name="commits"/> that <paramref name="skip"/> does not hold; added to <paramref name="skip"/>.
    /// With <paramref name="errors"/>, a missing or unreadable tree is noted there and the walk goes on; without, it throws.
    /// A blob counts as seen only at a path <paramref name="pathSelected"/> selects (the scan's --include/--exclude),
    /// so a blob met first at an excluded path is still scanned where it is not excluded.
    /// </summary>
    public List<BlobVisit> NewBlobs(IEnumerable<Commit> commits, HashSet<string> skip, List<string>? errors = null, Func<string, bool>? pathSelected = null)
    {
        var visits = new List<BlobVisit>();
        var trees = new HashSet<string>(StringComparer.Ordinal);
        foreach (var commit in commits) Walk(commit.Tree, "", commit, skip, trees, visits, errors, pathSelected);
        return visits;
    }

    /// <summary>Every blob and commit id reachable from the tips (for the reachability check after a rewrite).</summary>
    public HashSet<string> Reachable(IEnumerable<string> tips)
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        var trees = new HashSet<string>(StringComparer.Ordinal);
        var sink = new List<BlobVisit>();
        foreach (var commit in NewCommits(tips, []))
        {
            all.Add(commit.Sha);
            Walk(commit.Tree, "", commit, all, trees, sink);
        }
        return all;
    }

    /// <param name="trees">Subtrees already walked this run: a tree met again holds nothing new. With a path filter the
    /// same tree can hold selected blobs at one place and not at another, so there it is keyed by its place too.</param>
    private static void Walk(Tree tree, string prefix, Commit commit, HashSet<string> skip, HashSet<string> trees, List<BlobVisit> visits,
        List<string>? errors = null, Func<string, bool>? pathSelected = null)
    {
        if (!trees.Add(pathSelected == null ? tree.Sha : tree.Sha + "\0" + prefix)) return;
        try { WalkEntries(tree, prefix, commit, skip, trees, visits, errors, pathSelected); }
        catch (LibGit2SharpException e) when (errors != null)
        {
            errors.Add($"tree {tree.Id.Sha} of {(prefix.Length == 0 ? "(root)" : prefix)} in commit {commit.Sha} is missing or unreadable: {RepoScanner.OneLine(e.Message)}");
        }
    }

    private static void WalkEntries(Tree tree, string prefix, Commit commit, HashSet<string> skip, HashSet<string> trees, List<BlobVisit> visits,
        List<string>? errors, Func<string, bool>? pathSelected)
    {
        foreach (var entry in tree)
        {
            switch (entry.TargetType)
            {
                case TreeEntryTargetType.Blob:
                    if (pathSelected != null && !pathSelected(prefix + entry.Name)) break;
                    if (skip.Add(entry.Target.Sha)) visits.Add(new BlobVisit(entry.Target.Id, prefix + entry.Name, commit));
                    break;
                case TreeEntryTargetType.Tree:
                    Walk((Tree)entry.Target, prefix + entry.Name + "/", commit, skip, trees, visits, errors, pathSelected);
                    break;
                // GitLink: a submodule commit lives in another repository.
            }
        }
    }
}
