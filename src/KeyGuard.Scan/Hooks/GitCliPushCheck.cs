using KeyGuard.Scanning;
using KeyGuard.Sources;
using KeyGuard.Sources.Git;
using KeyGuard.Sources.Git.Staged;

namespace KeyGuard.Hooks;

/// <summary>
/// pre-push and pre-receive for repositories libgit2 cannot open (SHA-256), read through git: the same commits
/// (<c>git rev-list NEW --not ...</c>), the same lines and messages, the same tag messages, the same time budget, as
/// <see cref="PushCheck"/> and <see cref="ReceiveCheck"/>.
/// </summary>
internal static class GitCliPushCheck
{
    public static ScanResult Push(HookContext ctx, GitCliRepository git, string remote, IReadOnlyList<PushedRef> refs)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = new ScanResult();
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pushed in refs)
        {
            if (pushed.DeletesBranch) continue;
            if (git.ReadObject(pushed.LocalSha) == null)
                throw new InvalidInputException($"pre-push: {pushed.LocalRef}: object {pushed.LocalSha} not found in this repository");
            ScanTagMessages(ctx, git, pushed.LocalRef, pushed.LocalSha, result);
            if (Peel(git, pushed.LocalSha) is not { } tip) continue;
            // Everything already on a remote-tracking ref of this remote is on the remote: not sent again.
            var args = new List<string> { tip, "--not", $"--remotes={remote}" };
            if (!pushed.CreatesBranch && Peel(git, pushed.RemoteSha) is { } remoteTip) args.Add(remoteTip);
            foreach (var commit in git.RevList([.. args]))
                if (done.Add(commit)) ScanCommit(ctx, git, commit, result);
        }
        ctx.Finish(result);
        result.Stats.DurationMs = clock.ElapsedMilliseconds;
        return result;
    }

    public static ReceiveCheck.Outcome Receive(HookContext ctx, GitCliRepository git, IReadOnlyList<ReceivedRef> refs, TimeSpan budget)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = new ScanResult();
        var done = new HashSet<string>(StringComparer.Ordinal);
        bool timedOut = false;
        foreach (var received in refs)
        {
            if (received.Deletes) continue;
            if (git.ReadObject(received.NewSha) == null)
                throw new InvalidInputException($"pre-receive: {received.RefName}: object {received.NewSha} is not in the repository or its quarantine");
            ScanTagMessages(ctx, git, received.RefName, received.NewSha, result);
            if (Peel(git, received.NewSha) is not { } tip) continue;
            // The server's refs are still as they were before this push while pre-receive runs.
            var args = new List<string> { tip, "--not", "--all" };
            if (!received.Creates && Peel(git, received.OldSha) is { } old) args.Add(old);
            foreach (var commit in git.RevList([.. args]))
            {
                if (clock.Elapsed > budget) { timedOut = true; break; }
                if (done.Add(commit)) ScanCommit(ctx, git, commit, result);
            }
            if (timedOut) break;
        }
        ctx.Finish(result);
        result.Stats.DurationMs = clock.ElapsedMilliseconds;
        return new ReceiveCheck.Outcome(result, timedOut);
    }

    /// <summary>The commit an object finally names through annotated tags; null for a tree, a blob or a missing object.</summary>
    private static string? Peel(GitCliRepository git, string id)
    {
        for (int hops = 0; hops < 64; hops++)
        {
            var obj = git.ReadObject(id);
            if (obj == null) return null;
            if (obj.Type == "commit") return obj.Id;
            if (obj.Type != "tag" || GitObjectText.Parse(obj.Content).Header("object") is not { } target) return null;
            id = target;
        }
        return null;
    }

    private static void ScanTagMessages(HookContext ctx, GitCliRepository git, string refName, string id, ScanResult result)
    {
        var name = refName.StartsWith("refs/tags/", StringComparison.Ordinal) ? refName["refs/tags/".Length..] : refName;
        foreach (var tag in TagMessage.Chain(git.ReadObject, id, name)) ctx.ScanMessage(tag.Text, tag.Source, result);
    }

    private static void ScanCommit(HookContext ctx, GitCliRepository git, string id, ScanResult result)
    {
        var obj = git.ReadObject(id);
        if (obj is not { Type: "commit" })
        {
            result.Errors.Add(new ScanError(id, "cannot read the commit: missing from the object database"));
            return;
        }
        result.Stats.Commits++;
        var commit = GitObjectText.Parse(obj.Content);
        var author = GitObjectText.Signature(commit.Header("author"));
        var origin = new Provenance("", SourceKind.Commit)
        {
            Commit = obj.Id, Author = author?.Name, Email = author?.Email, Date = author?.When,
        };
        var parents = commit.Headers.TryGetValue("parent", out var p) ? p : [];
        ctx.Changes.Run(git.OfCommit(obj.Id, parents), f => origin with { Path = f.Path }, result);
        var message = origin with { Path = CommitMessages.Path, Kind = SourceKind.CommitMessage };
        ctx.ScanMessage(commit.Message, message, result);
    }
}
