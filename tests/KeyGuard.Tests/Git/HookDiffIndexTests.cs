using Xunit;

namespace KeyGuard.Tests.Git;

/// <summary>
/// Both ways of listing staged files give the same answers: git diff-index (big indexes) and libgit2 (small ones).
/// Each case runs with each forced through KEYGUARD_DIFF_INDEX.
/// </summary>
public sealed class HookDiffIndexTests
{
    [Theory]
    [InlineData("git")]
    [InlineData("libgit2")]
    public void PartialStagingRenameAndCommitAll_AgreeBothWays(string way)
    {
        using var repo = HookTestRepo.Create();
        repo.Environment["KEYGUARD_DIFF_INDEX"] = way;
        var old = FakeKey.New(60);
        var body = string.Concat(Enumerable.Range(0, 20).Select(i => $"setting_{i}=value {i}\n"));
        repo.Write("old/app.env", old.EnvFile + body);
        repo.Write("notes.txt", "notes\n");
        repo.CommitAll("before keyguard");

        // A rename with an unchanged secret and a partially staged clean edit: nothing added is a secret.
        repo.Git("mv", "old", "new");
        repo.Write("notes.txt", "notes\nmore\n");
        repo.Git("add", "notes.txt");
        repo.Write("notes.txt", "notes\nmore\n" + FakeKey.New(61).EnvFile);
        var clean = repo.Keyguard("hook", "pre-commit");
        Assert.True(clean.Code == 0, clean.ToString());

        // The secret only in the working copy reaches the temporary index of git commit -a, through the hook.
        Assert.Equal(0, repo.Keyguard("install").Code);
        var commit = repo.TryGit("commit", "-a", "-m", "all");
        Assert.True(commit.Code != 0, commit.ToString());
        Assert.Contains("notes.txt:3", commit.Err);
        Assert.DoesNotContain(old.Id, commit.Err);
    }
}
