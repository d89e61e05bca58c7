using Xunit;
namespace KeyGuard.Tests.Git;

/// <summary><c>keyguard hook pre-push</c>: only the commits the push sends, driven by git's stdin protocol.</summary>
public sealed class HookPrePushTests
{
    private const string Zero = "0000000000000000000000000000000000000000";

    /// <summary>A repo whose master, with an old secret, is already on a bare remote "origin".</summary>
    private static (HookTestRepo Repo, FakeKey OldKey) WithPushedHistory()
    {
        var repo = HookTestRepo.Create();
        var oldKey = FakeKey.New(30);
        repo.Write("legacy.env", oldKey.EnvFile);
        repo.CommitAll("legacy secret, already public");
        var remote = Path.Combine(repo.Root, "remote.git");
        repo.Git("init", "-q", "--bare", remote);
        repo.Git("remote", "add", "origin", remote);
        repo.Git("push", "-q", "--no-verify", "origin", "master");
        return (repo, oldKey);
    }

    [Fact]
    public void NewBranch_ScansOnlyCommitsNotOnTheRemote()
    {
        var (repo, oldKey) = WithPushedHistory();
        using var _ = repo;
        repo.Git("checkout", "-q", "-b", "topic");
        repo.Write("notes.txt", "clean\n");
        repo.CommitAll("clean work");
        var head = repo.Git("rev-parse", "HEAD").Trim();
        var input = $"refs/heads/topic {head} refs/heads/topic {Zero}\n";

        var clean = repo.KeyguardWithInput(input, "hook", "pre-push", "origin", "url");
        Assert.True(clean.Code == 0, clean.ToString());

        var newKey = FakeKey.New(31);
        repo.Write("app.env", newKey.EnvFile);
        repo.CommitAll("oops");
        repo.Git("commit", "-q", "--allow-empty", "--no-verify", "-m", $"also in the message: {newKey.Id}");
        head = repo.Git("rev-parse", "HEAD").Trim();
        input = $"refs/heads/topic {head} refs/heads/topic {Zero}\n";
        var run = repo.KeyguardWithInput(input, "hook", "pre-push", "origin", "url");
        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains("app.env:1", run.Err);
        Assert.Contains("<commit message>:1", run.Err);
        Assert.Contains("push blocked", run.Err);
        Assert.Contains("git push --no-verify", run.Err);
        Assert.DoesNotContain(oldKey.Id, run.Err);
    }

    [Fact]
    public void UpdatedBranch_ScansRemoteShaToLocalSha_DeletedBranchScansNothing()
    {
        var (repo, _) = WithPushedHistory();
        using var __ = repo;
        var remoteSha = repo.Git("rev-parse", "HEAD").Trim();
        repo.Write("app.env", FakeKey.New(32).EnvFile);
        repo.CommitAll("secret");
        repo.Write("app.env", "removed\n");
        repo.CommitAll("removed again, but it is in history");
        var head = repo.Git("rev-parse", "HEAD").Trim();

        var run = repo.KeyguardWithInput($"refs/heads/master {head} refs/heads/master {remoteSha}\n", "hook", "pre-push", "origin", "url");
        Assert.True(run.Code == 1, run.ToString());

        var deleted = repo.KeyguardWithInput($"(delete) {Zero} refs/heads/old {remoteSha}\n", "hook", "pre-push", "origin", "url");
        Assert.True(deleted.Code == 0, deleted.ToString());
    }

    [Fact]
    public void MergeCommit_DoesNotReReportWhatTheRemoteAlreadyHas()
    {
        var (repo, oldKey) = WithPushedHistory();
        using var _ = repo;
        repo.Git("checkout", "-q", "-b", "topic", "HEAD~0");
        repo.Write("topic.txt", "topic work\n");
        repo.CommitAll("topic");
        repo.Git("checkout", "-q", "master");
        var more = FakeKey.New(34);
        repo.Write("more.env", more.EnvFile);
        repo.CommitAll("another secret, pushed before keyguard");
        repo.Git("push", "-q", "--no-verify", "origin", "master");
        repo.Git("checkout", "-q", "topic");
        repo.Git("merge", "-q", "--no-ff", "--no-verify", "-m", "merge master into topic", "master");
        var head = repo.Git("rev-parse", "HEAD").Trim();

        // The merge's diff against its first parent holds master's secret, which the remote already has.
        var run = repo.KeyguardWithInput($"refs/heads/topic {head} refs/heads/topic {Zero}\n", "hook", "pre-push", "origin", "url");
        Assert.True(run.Code == 0, run.ToString());
        Assert.DoesNotContain(more.Id, run.Err);
    }

    [Fact]
    public void AnnotatedTag_SendsTheCommitItPointsAt()
    {
        var (repo, _) = WithPushedHistory();
        using var __ = repo;
        repo.Git("tag", "-a", "-m", "release", "v1");
        var clean = repo.Git("rev-parse", "v1").Trim();
        Assert.NotEqual(repo.Git("rev-parse", "HEAD").Trim(), clean);   // a tag object, not the commit
        var run = repo.KeyguardWithInput($"refs/tags/v1 {clean} refs/tags/v1 {Zero}\n", "hook", "pre-push", "origin", "url");
        Assert.True(run.Code == 0, run.ToString());

        repo.Write("app.env", FakeKey.New(35).EnvFile);
        repo.CommitAll("secret");
        repo.Git("tag", "-a", "-m", "release", "v2");
        var dirty = repo.Git("rev-parse", "v2").Trim();
        var blocked = repo.KeyguardWithInput($"refs/tags/v2 {dirty} refs/tags/v2 {Zero}\n", "hook", "pre-push", "origin", "url");
        Assert.True(blocked.Code == 1, blocked.ToString());
    }

    [Fact]
    public void BadInputLine_IsAUsageError()
    {
        var (repo, _) = WithPushedHistory();
        using var __ = repo;
        var run = repo.KeyguardWithInput("nonsense\n", "hook", "pre-push", "origin", "url");
        Assert.True(run.Code == 2, run.ToString());
        Assert.Contains("pre-push input line 1", run.Err);
    }

    [Fact]
    public void InstalledHook_BlocksARealPush_AndLetsACleanOneThrough()
    {
        var (repo, _) = WithPushedHistory();
        using var __ = repo;
        Assert.Equal(0, repo.Keyguard("install").Code);
        repo.Git("checkout", "-q", "-b", "clean");
        repo.Write("a.txt", "a\n");
        repo.Git("add", "-A");
        repo.Git("commit", "-q", "-m", "clean");
        var ok = repo.TryGit("push", "-q", "origin", "clean");
        Assert.True(ok.Code == 0, ok.ToString());

        repo.Git("checkout", "-q", "-b", "dirty");
        repo.Write("app.env", FakeKey.New(33).EnvFile);
        repo.CommitAll("secret committed with --no-verify");
        var push = repo.TryGit("push", "origin", "dirty");
        Assert.True(push.Code != 0, push.ToString());
        Assert.Contains("push blocked", push.Err);
        Assert.NotEqual(0, repo.TryGit("--git-dir", Path.Combine(repo.Root, "remote.git"), "rev-parse", "--verify", "-q", "refs/heads/dirty").Code);
    }
}
