using KeyGuard.Scanning;
using KeyGuard.Sources;
using KeyGuard.Sources.Git;
using KeyGuard.Sources.Git.Staged;
using LibGit2Sharp;

namespace KeyGuard.Hooks;

/// <summary>
/// pre-push: the commits a push would send, each checked for the lines it adds and for its message. A new branch
/// sends only the commits no remote-tracking ref of that remote has (<c>git rev-list LOCAL --not --remotes=REMOTE</c>);
/// a deleted branch sends nothing.
/// </summary>
internal static class PushCheck
{
    public static ScanResult Run(HookContext ctx, string remote, IReadOnlyList<PushedRef> refs)
    {
        if (ctx.Git is { } git) return GitCliPushCheck.Push(ctx, git, remote, refs);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = new ScanResult();
        var done = new HashSet<ObjectId>();
        foreach (var pushed in refs)
        {
            if (pushed.DeletesBranch) continue;
            ScanTagMessages(ctx, pushed.LocalRef, pushed.LocalSha, result);
            foreach (var commit in CommitsToSend(ctx.Repo, remote, pushed))
            {
                if (!done.Add(commit.Id)) continue;
                ScanCommit(ctx, commit, result);
            }
        }
        ctx.Finish(result);
        result.Stats.DurationMs = clock.ElapsedMilliseconds;
        return result;
    }

    public static List<Commit> CommitsToSend(Repository repo, string remote, PushedRef pushed)
    {
        var target = repo.Lookup(pushed.LocalSha)
                     ?? throw new InvalidInputException($"pre-push: {pushed.LocalRef}: object {pushed.LocalSha} not found in this repository");
        // An annotated tag sends the commit it points at; a tag of a tree or blob sends no commit.
        if (Peel(target) is not { } local) return [];
        var exclude = new List<object>();
        // Everything already on a remote-tracking ref of this remote is on the remote: not sent again.
        var prefix = $"refs/remotes/{remote}/";
        foreach (var r in repo.Refs.Where(r => r.CanonicalName.StartsWith(prefix, StringComparison.Ordinal)))
            if (r.ResolveToDirectReference()?.Target is Commit c) exclude.Add(c);
        if (!pushed.CreatesBranch && Peel(repo.Lookup(pushed.RemoteSha)) is { } remoteTip) exclude.Add(remoteTip);
        var filter = new CommitFilter { IncludeReachableFrom = local, ExcludeReachableFrom = exclude, SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Reverse };
        return repo.Commits.QueryBy(filter).ToList();
    }

    internal static Commit? Peel(GitObject? o)
    {
        while (o is TagAnnotation tag) o = tag.Target;
        return o as Commit;
    }

    /// <summary>An annotated tag carries its own message (release notes are a classic place to paste a key): each
    /// tag in the chain the pushed ref names is scanned.</summary>
    internal static void ScanTagMessages(HookContext ctx, string refName, string sha, ScanResult result)
    {
        var name = refName.StartsWith("refs/tags/", StringComparison.Ordinal) ? refName["refs/tags/".Length..] : refName;
        foreach (var tag in TagMessage.Chain(ctx.Repo.Lookup(sha), name)) ctx.ScanMessage(tag.Text, tag.Source, result);
    }

    internal static void ScanCommit(HookContext ctx, Commit commit, ScanResult result)
    {
        result.Stats.Commits++;
        var origin = new Provenance("", SourceKind.Commit)
        {
            Commit = commit.Sha, Author = commit.Author.Name, Email = commit.Author.Email, Date = commit.Author.When,
        };
        ctx.Changes.Run(GitChanges.OfCommit(ctx.Repo, commit), f => origin with { Path = f.Path }, result);
        var message = origin with { Path = CommitMessages.Path, Kind = SourceKind.CommitMessage };
        ctx.ScanMessage(commit.Message, message, result);
    }
}
