using System.Diagnostics;
using KeyGuard.Scanning;
using KeyGuard.Sources.Git;
using LibGit2Sharp;

namespace KeyGuard.Hooks;

/// <summary>One line of git's pre-receive input: <c>&lt;old sha&gt; &lt;new sha&gt; &lt;ref&gt;</c>.</summary>
internal sealed record ReceivedRef(string OldSha, string NewSha, string RefName)
{
    public bool Deletes => PushedRef.IsZero(NewSha);
    public bool Creates => PushedRef.IsZero(OldSha);

    /// <summary>Parses git's stdin; a malformed line is a usage error naming it.</summary>
    public static List<ReceivedRef> ReadAll(TextReader input)
    {
        var refs = new List<ReceivedRef>();
        int n = 0;
        while (input.ReadLine() is { } line)
        {
            n++;
            if (line.Trim().Length == 0) continue;
            var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !IsSha(parts[0]) || !IsSha(parts[1]))
                throw new InvalidInputException($"pre-receive input line {n}: expected '<old sha> <new sha> <ref>'");
            refs.Add(new ReceivedRef(parts[0], parts[1], parts[2]));
        }
        return refs;
    }

    private static bool IsSha(string s) => s.Length is 40 or 64 && s.All(char.IsAsciiHexDigit);
}

/// <summary>What to do when the check runs out of its time budget.</summary>
internal enum OnTimeout { Reject, Accept }

/// <summary>
/// pre-receive, on the server: every commit a push brings that the server does not have yet (reachable from the new
/// tip, not from any ref the server had before the push), checked line by line as pre-push does, plus the messages
/// of pushed annotated tags. Deleting a ref brings nothing. Runs inside git's quarantine.
/// </summary>
internal static class ReceiveCheck
{
    public sealed record Outcome(ScanResult Result, bool TimedOut);

    public static Outcome Run(HookContext ctx, IReadOnlyList<ReceivedRef> refs, TimeSpan budget)
    {
        if (ctx.Git is { } git) return GitCliPushCheck.Receive(ctx, git, refs, budget);
        var clock = Stopwatch.StartNew();
        var result = new ScanResult();
        Quarantine.Attach(ctx.Repo, Quarantine.Directories());
        // The server's refs are still as they were before this push while pre-receive runs.
        var known = new List<Commit>();
        foreach (var r in ctx.Repo.Refs)
        {
            try { if (PushCheck.Peel(r.ResolveToDirectReference()?.Target) is { } c) known.Add(c); }
            catch (LibGit2SharpException) { /* a damaged ref excludes nothing: more is checked, not less */ }
        }
        var done = new HashSet<ObjectId>();
        bool timedOut = false;
        foreach (var received in refs)
        {
            if (received.Deletes) continue;
            var target = ctx.Repo.Lookup(received.NewSha)
                         ?? throw new InvalidInputException($"pre-receive: {received.RefName}: object {received.NewSha} is not in the repository or its quarantine");
            PushCheck.ScanTagMessages(ctx, received.RefName, received.NewSha, result);
            if (PushCheck.Peel(target) is not { } tip) continue;
            var exclude = new List<Commit>(known);
            if (!received.Creates && PushCheck.Peel(ctx.Repo.Lookup(received.OldSha)) is { } old) exclude.Add(old);
            var filter = new CommitFilter { IncludeReachableFrom = tip, ExcludeReachableFrom = exclude, SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Reverse };
            foreach (var commit in ctx.Repo.Commits.QueryBy(filter))
            {
                if (clock.Elapsed > budget) { timedOut = true; break; }
                if (done.Add(commit.Id)) PushCheck.ScanCommit(ctx, commit, result);
            }
            if (timedOut) break;
        }
        ctx.Finish(result);
        result.Stats.DurationMs = clock.ElapsedMilliseconds;
        return new Outcome(result, timedOut);
    }
}
