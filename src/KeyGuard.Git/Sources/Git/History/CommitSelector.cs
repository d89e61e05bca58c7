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

    /// <summary>Each ref that leads to a commit, by name, and that commit (HEAD and older stashes left out).</summary>
    public Dictionary<string, string> RefTips { get; } = new(StringComparer.Ordinal);

    /// <summary>One-line notes for stderr.</summary>
    public List<string> Notes { get; } = [];

    public List<ObjectId> Select()
    {
        var include = new List<Commit>();
        var exclude = new List<Commit>();
        if (options.Range != null) AddRange(options.Range, include, exclude);
        else if (options.Branches.Count > 0) include.AddRange(options.Branches.Select(ResolveBranch));
        else include.AddRange(AllRefTips());
        // A ref that leads nowhere hides the history behind it: on a full sweep, every commit the object database still
        // holds is swept too (as --unreachable does), so a damaged tip does not hide its intact ancestors.
        if (Errors.Count > 0 && !options.Narrowed && objectDatabaseCommits.Count == 0) include.AddRange(ObjectDatabaseCommits());
        if (options.SinceCommit != null) exclude.Add(Resolve(options.SinceCommit, "--since-commit"));
        // An incremental sweep leaves out what the earlier runs' tips reach (those gone from the repository, too).
        if (options.Since is { } since) exclude.AddRange(since.Tips.Distinct().Select(LookupCommit).OfType<Commit>());
        // Every commit in the object database as a tip: the walk excludes nothing reachable, so dangling ones join.
        include.AddRange(objectDatabaseCommits);
        if (include.Count == 0) return [];
        var includeIds = include.Select(c => c.Id).Distinct().ToList();
        var excludeIds = exclude.Select(c => c.Id).Distinct().ToList();

        var ids = NativeRevWalk.Walk(repo.Info.Path, includeIds, excludeIds, options.MaxDepth);
        if (ids != null)
        {
            ids.Reverse();
            return ids;
        }
        try
        {
            var filter = new CommitFilter
            {
                IncludeReachableFrom = includeIds,
                ExcludeReachableFrom = excludeIds,
                SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time,
            };
            IEnumerable<Commit> newestFirst = repo.Commits.QueryBy(filter);
            if (options.MaxDepth > 0) newestFirst = newestFirst.Take(options.MaxDepth);
            var commits = newestFirst.Select(c => c.Id).ToList();
            commits.Reverse();
            return commits;
        }
        catch (LibGit2SharpException)
        {
            // libgit2's walks stop at the first commit they cannot read: go commit by commit, report each hole, and
            // sweep everything else.
            using var reader = NativeCommitReader.Open(repo.Info.Path);
            if (reader == null) throw;
            return WalkAroundDamage(reader, includeIds, excludeIds);
        }
    }

    /// <summary>
    /// The commits reachable from <paramref name="include"/> and not from <paramref name="exclude"/>, oldest first
    /// (parents before children, then by time), stepping over commits that cannot be read: each is an error, and on a
    /// full sweep the commits behind it that the object database still holds are swept too.
    /// </summary>
    private List<ObjectId> WalkAroundDamage(NativeCommitReader reader, List<ObjectId> include, List<ObjectId> exclude)
    {
        var hidden = Reachable(reader, exclude, null, report: false).Keys.ToHashSet();
        var nodes = Reachable(reader, include, hidden, report: true);
        if (nodes.Values.Any(n => !n.Readable) && !options.Narrowed)
        {
            var orphans = ObjectDatabaseCommits().Select(c => c.Id).Where(id => !nodes.ContainsKey(id)).ToList();
            foreach (var (id, links) in Reachable(reader, orphans, nodes.Keys.ToHashSet(), report: true)) nodes.TryAdd(id, links);
        }
        var ordered = Topological(nodes);
        return options.MaxDepth > 0 && ordered.Count > options.MaxDepth ? ordered[^options.MaxDepth..] : ordered;
    }

    private bool _objectDatabaseListed;

    private List<Commit> ObjectDatabaseCommits()
    {
        if (_objectDatabaseListed) return [];
        _objectDatabaseListed = true;
        Notes.Add("the repository is damaged: commits found in its object database that no readable ref reaches were swept too");
        return UnreachableObjects.Enumerate(repo, Errors).OfType<Commit>().ToList();
    }

    private Dictionary<ObjectId, CommitLinks> Reachable(NativeCommitReader reader, IEnumerable<ObjectId> starts, HashSet<ObjectId>? hidden, bool report)
    {
        var seen = new Dictionary<ObjectId, CommitLinks>();
        var stack = new Stack<(ObjectId Id, ObjectId? Child)>(starts.Select(s => (s, (ObjectId?)null)));
        while (stack.TryPop(out var item))
        {
            if (seen.ContainsKey(item.Id) || hidden?.Contains(item.Id) == true) continue;
            var links = reader.Read(item.Id);
            seen[item.Id] = links;
            if (!links.Readable)
            {
                if (report)
                    Errors.Add((item.Id.Sha, links.Problem + (item.Child is { } child
                        ? $" (a parent of {child.Sha[..12]}); older commits are swept only where the object database still holds them"
                        : "")));
                continue;
            }
            foreach (var parent in links.Parents) stack.Push((parent, item.Id));
        }
        return seen;
    }

    /// <summary>Readable commits, parents first; among commits whose parents are all placed, the oldest first.</summary>
    private static List<ObjectId> Topological(Dictionary<ObjectId, CommitLinks> nodes)
    {
        var waiting = new Dictionary<ObjectId, int>();
        var children = new Dictionary<ObjectId, List<ObjectId>>();
        var ready = new PriorityQueue<ObjectId, (long Time, string Sha)>();
        foreach (var (id, links) in nodes)
        {
            if (!links.Readable) continue;
            int pending = 0;
            foreach (var parent in links.Parents.Distinct())
                if (nodes.TryGetValue(parent, out var p) && p.Readable)
                {
                    pending++;
                    (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(id);
                }
            if (pending == 0) ready.Enqueue(id, (links.Time, id.Sha));
            else waiting[id] = pending;
        }
        var order = new List<ObjectId>(nodes.Count);
        while (ready.TryDequeue(out var id, out _))
        {
            order.Add(id);
            if (!children.TryGetValue(id, out var kids)) continue;
            foreach (var kid in kids)
                if (--waiting[kid] == 0) ready.Enqueue(kid, (nodes[kid].Time, kid.Sha));
        }
        return order;
    }

    /// <summary>
    /// Every ref (branches, remote branches, tags, notes, stash), HEAD, and older stashes in the stash reflog. A ref
    /// that cannot be read, or that points at an object the repository does not have, is an error: a sweep that
    /// quietly dropped it would call a damaged repository clean.
    /// </summary>
    private IEnumerable<Commit> AllRefTips()
    {
        var tips = new Dictionary<ObjectId, Commit>();
        void Add(string name, string target, Func<GitObject?> resolve)
        {
            GitObject? obj;
            try { obj = resolve(); }
            catch (LibGit2SharpException e) { Errors.Add((name, $"cannot read {Short(target)}: {e.Message.Trim()}")); return; }
            if (obj == null) { Errors.Add((name, $"points to {Short(target)}, which is missing from the object database")); return; }
            while (obj is TagAnnotation tag)
            {
                var next = tag.Target;
                if (next == null) { Errors.Add((name, $"tag {Short(tag.Id.Sha)} points to an object missing from the object database")); return; }
                obj = next;
            }
            if (obj is not Commit c) return;
            tips.TryAdd(c.Id, c);
            if (name.StartsWith("refs/", StringComparison.Ordinal) && !name.EndsWith("@{…}", StringComparison.Ordinal)) RefTips[name] = c.Sha;
        }

        // libgit2 lists the refs it can parse and skips a damaged one without a word, so the ref files are read too:
        // what libgit2 skipped is resolved by id, or named as damaged.
        var listed = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var reference in repo.Refs.ToList())
            {
                listed.Add(reference.CanonicalName);
                DirectReference? direct;
                try { direct = reference.ResolveToDirectReference(); }
                catch (LibGit2SharpException e) { Errors.Add((reference.CanonicalName, e.Message.Trim())); continue; }
                if (direct == null) continue;   // a symbolic ref to a branch not yet born
                Add(reference.CanonicalName, direct.TargetIdentifier, () => direct.Target);
            }
        }
        catch (LibGit2SharpException e) { Errors.Add(("refs", $"cannot list the refs: {e.Message.Trim()}")); }
        foreach (var (name, id, problem) in RawRefs.Read(repo.Info.Path))
        {
            if (listed.Contains(name)) continue;
            if (problem != null) Errors.Add((name, problem));
            else Add(name, id!.Sha, () => repo.Lookup(id));
        }
        try
        {
            // A detached HEAD is no ref of its own; an attached one was listed above.
            if (repo.Refs.Head is DirectReference head) Add("HEAD", head.TargetIdentifier, () => head.Target);
        }
        catch (LibGit2SharpException e) { Errors.Add(("HEAD", e.Message.Trim())); }
        try
        {
            foreach (var entry in repo.Refs.Log("refs/stash")) Add("refs/stash@{…}", entry.To.Sha, () => repo.Lookup(entry.To));
        }
        catch (LibGit2SharpException) { /* no stash reflog */ }
        return tips.Values;
    }

    private Commit? LookupCommit(string sha)
    {
        try { return repo.Lookup<Commit>(sha); }
        catch (LibGit2SharpException) { return null; }
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;

    private void AddRange(string range, List<Commit> include, List<Commit> exclude)
    {
        if (range.Contains("...")) throw new InvalidInputException($"--range: '{range}': symmetric ranges (A...B) are not supported; use A..B");
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
        throw new InvalidInputException($"--branch: no branch named '{name}' in {repo.Info.Path}");
    }

    private Commit Resolve(string revision, string option)
    {
        GitObject? obj = null;
        try { obj = repo.Lookup(revision); }
        catch (LibGit2SharpException) { }
        while (obj is TagAnnotation tag) obj = tag.Target;
        return obj as Commit ?? throw new InvalidInputException($"{option}: '{revision}' is not a commit in {repo.Info.Path}");
    }
}
