using Xunit;
namespace KeyGuard.Tests.Git;

/// <summary>commit-msg, and merges: a resolution that adds a secret (pre-commit) and a merge that brings one in
/// from the other branch (prepare-commit-msg, since git merge runs no pre-commit).</summary>
public sealed class HookMessageAndMergeTests
{
    [Fact]
    public void CommitMessage_WithKey_Blocks_CommentLinesAreSkipped()
    {
        using var repo = HookTestRepo.Create();
        var key = FakeKey.New(20);
        var file = Path.Combine(repo.Root, "MSG");

        File.WriteAllText(file, $"Add client\n\n# Please enter the commit message\n# {key.Id}\n");
        var comment = repo.Keyguard("hook", "commit-msg", file);
        Assert.True(comment.Code == 0, comment.ToString());

        File.WriteAllText(file, $"Add client\n\nUse key {key.Id} for now\n# comment\n");
        var run = repo.Keyguard("hook", "commit-msg", file);
        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains("<commit message>:3", run.Err);
        Assert.Contains("in the commit message", run.Err);
    }

    [Fact]
    public void MessageText_DropsCommentsAndTheVerboseDiff_KeepsLineNumbers()
    {
        var message = "Subject\n\nbody\n# comment\n# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n+key\n";
        var kept = KeyGuard.Hooks.CommitMessageCheck.WithoutComments(message);
        Assert.Equal("Subject\n\nbody\n\n\n\n\n", kept);
        Assert.Equal("a\n\n# not a comment here\n", KeyGuard.Hooks.CommitMessageCheck.WithoutComments("a\n; x\n# not a comment here\n", ';'));
    }

    [Fact]
    public void MergeResolution_AddingASecret_IsBlockedByPreCommit()
    {
        using var repo = HookTestRepo.Create();
        var key = FakeKey.New(21);
        repo.Write("app.env", "region=us-east-1\n");
        repo.CommitAll("init");
        repo.Git("checkout", "-q", "-b", "feature");
        repo.Write("app.env", "region=eu-west-1\n");
        repo.CommitAll("feature region");
        repo.Git("checkout", "-q", "master");
        repo.Write("app.env", "region=ap-south-1\n");
        repo.CommitAll("master region");
        Assert.NotEqual(0, repo.TryGit("merge", "feature").Code);   // conflict

        repo.Write("app.env", "region=eu-west-1\n" + key.EnvFile);
        repo.Git("add", "app.env");
        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains("app.env:2", run.Err);
    }

    [Fact]
    public void MergeBringingASecret_IsBlockedInPrepareCommitMsg_ByARealGitMerge()
    {
        using var repo = HookTestRepo.Create();
        var key = FakeKey.New(22);
        repo.Write("README.md", "demo\n");
        repo.CommitAll("init");
        repo.Git("checkout", "-q", "-b", "feature");
        repo.Write("deploy/creds.env", key.EnvFile);
        repo.CommitAll("feature adds a secret, committed without hooks");
        repo.Git("checkout", "-q", "master");
        repo.Write("other.txt", "x\n");
        repo.CommitAll("master moves on");

        // Not merging: prepare-commit-msg has nothing to check.
        var msg = Path.Combine(repo.Root, "MSG");
        File.WriteAllText(msg, "x\n");
        Assert.Equal(0, repo.Keyguard("hook", "prepare-commit-msg", msg, "message").Code);

        Assert.True(repo.Keyguard("install").Code == 0);
        var merge = repo.TryGit("merge", "--no-ff", "-m", "merge feature", "feature");
        Assert.True(merge.Code != 0, merge.ToString());
        Assert.Contains("merge blocked", merge.Err);
        Assert.Contains("deploy/creds.env:1", merge.Err);
        Assert.NotEqual("merge feature", repo.Git("log", "-1", "--format=%s").Trim());
        Assert.True(File.Exists(Path.Combine(repo.Dir, ".git", "MERGE_HEAD")));

        // The same check by hand while MERGE_HEAD exists.
        var run = repo.Keyguard("hook", "prepare-commit-msg", Path.Combine(repo.Dir, ".git", "MERGE_MSG"), "merge");
        Assert.True(run.Code == 1, run.ToString());
    }
}
