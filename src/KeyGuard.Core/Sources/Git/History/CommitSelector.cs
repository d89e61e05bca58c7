using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// Turns <see cref="HistoryOptions"/> into the commits to sweep, oldest first (parents before children, then by
/// date), so the first commit that adds a blob is the one that introduced it.
/// </summary>
internal sealed class CommitSelector(Repository repo, HistoryOptions options, IReadOnlyList<Commit> objectDatabaseCommits)
{
    /// <summary>Problems met while listing tips (a broken ref): reported, the sweep goes on.</summary>
    public List<(string Where, string Message)> Errors { get; } = [];

    public List<ObjectId> Select()
    {
        var include = new List<Commit>();
        var exclude = new List<Commit>();
        if (options.Range != null) AddRange(options.Range, include, exclude);
        else if (options.Branches.Count > 0) include.AddRange(options.Branches.Select(ResolveBranch));
        else include.AddRange(AllRefTips());
        if (options.SinceCommit != null) exclude.Add(Resolve(options.SinceCommit, "--since-commit"));
        // Every commit in the object database as a tip: the walk excludes nothing reachable, so dangling ones join.
        include.AddRange(objectDatabaseCommits);
        if (include.Count == 0) return [];

        var ids = NativeRevWalk.Walk(repo.Info.Path, include.Select(c => c.Id).Distinct(), exclude.Select(c => c.Id).Distinct(), options.MaxDepth);
        if (ids != null)
        {
            ids.Reverse();
            return ids;
        }
        var filter = new CommitFilter
        {
            IncludeReachableFrom = include,
            ExcludeReachableFrom = exclude,
            SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time,
        };
        IEnumerable<Commit> newestFirst = repo.Commits.QueryBy(filter);
        if (options.MaxDepth > 0) newestFirst = newestFirst.Take(options.MaxDepth);
        var commits = newestFirst.Select(c => c.Id).ToList();
        commits.Reverse();
        return commits;
    }

    /// <summary>Every ref (branches, remote branches, tags, notes, stash), HEAD, and older stashes in the stash reflog.</summary>
    private IEnumerable<Commit> AllRefTips()
    {
        var tips = new Dictionary<ObjectId, Commit>();
        void Add(GitObject? target)
        {
            while (target is TagAnnotation tag) target = tag.Target;
            if (target is Commit c) tips.TryAdd(c.Id, c);
        }
        foreach (var reference in repo.Refs)
        {
            try { Add(reference.ResolveToDirectReference()?.Target); }
            catch (LibGit2SharpException e) { Errors.Add((reference.CanonicalName, e.Message)); }
        }
        if (!repo.Info.IsHeadUnborn) Add(repo.Head.Tip);
        try
        {
            foreach (var entry in repo.Refs.Log("refs/stash")) Add(repo.Lookup(entry.To));
        }
        catch (LibGit2SharpException) { /* no stash reflog */ }
        return tips.Values;
    }

    private void AddRange(string range, List<Commit> include, List<Commit> exclude)
    {
        if (range.Contains("...")) throw new UsageException($"--range: '{range}': symmetric ranges (A...B) are not supported; use A..B");
        int dots = range.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0) { include.Add(Resolve(range, "--range")); return; }
        var from = range[..dots];
        var to = range[(dots + 2)..];
        exclude.Add(Resolve(from.Length > 0 ? from : "HEAD", "--range"));
        include.Add(Resolve(to.Length > 0 ? to : "HEAD", "--range"));
    }

    private Commit ResolveBranch(string name)
    {
        var branch = repo.Branches[name];
        if (branch?.Tip != null) return branch.Tip;
        throw new UsageException($"--branch: no branch named '{name}' in {repo.Info.Path}");
    }

    private Commit Resolve(string revision, string option)
    {
        GitObject? obj = null;
        try { obj = repo.Lookup(revision); }
        catch (LibGit2SharpException) { }
        while (obj is TagAnnotation tag) obj = tag.Target;
        return obj as Commit ?? throw new UsageException($"{option}: '{revision}' is not a commit in {repo.Info.Path}");
    }
}
