using Xunit;
using System.Text;

namespace KeyGuard.Tests.Git;

/// <summary><c>keyguard hook pre-commit</c>: the staged version, only added lines, and git's awkward cases.</summary>
public sealed class HookPreCommitTests
{
    [Fact]
    public void FirstCommit_SecretInStagedFile_BlocksWithRedactedReportAndWaysOut()
    {
        using var repo = HookTestRepo.Create();
        var key = FakeKey.New(1);
        repo.Write("config/app.env", "# settings\n" + key.EnvFile);
        repo.Git("add", "-A");

        var run = repo.Keyguard("hook", "pre-commit");

        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains("config/app.env:2", run.Err);
        Assert.Contains("config/app.env:3", run.Err);
        Assert.Contains("aws-secret-access-key", run.Err);
        Assert.Contains(key.Secret[..4] + "…(40)", run.Err);
        Assert.DoesNotContain(key.Secret, run.Err + run.Out);
        Assert.Contains("keyguard:allow", run.Err);
        Assert.Contains("keyguard baseline create -o .keyguard-baseline.json", run.Err);
        Assert.Contains("git commit --no-verify", run.Err);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public void CleanChange_ExitsZeroAndPrintsNothing()
    {
        using var repo = HookTestRepo.Create();
        repo.Write("README.md", "hello\n");
        repo.Git("add", "-A");
        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 0, run.ToString());
        Assert.Equal("", run.Err + run.Out);
    }

    [Fact]
    public void PartialStaging_OnlyTheIndexVersionCounts()
    {
        using var repo = HookTestRepo.Create();
        var key = FakeKey.New(2);
        repo.Write("app.env", "name=demo\n");
        repo.CommitAll("init");

        // Staged: a clean line. Working copy: the secret too, never staged.
        repo.Write("app.env", "name=demo\nregion=eu-west-1\n");
        repo.Git("add", "app.env");
        repo.Write("app.env", "name=demo\nregion=eu-west-1\n" + key.EnvFile);
        var clean = repo.Keyguard("hook", "pre-commit");
        Assert.True(clean.Code == 0, clean.ToString());

        // Staged: the secret. Working copy: already fixed, but the index is what gets committed.
        repo.Git("add", "app.env");
        repo.Write("app.env", "name=demo\nregion=eu-west-1\n");
        var blocked = repo.Keyguard("hook", "pre-commit");
        Assert.True(blocked.Code == 1, blocked.ToString());
        Assert.Contains("app.env:3", blocked.Err);
    }

    [Fact]
    public void SecretAlreadyInHead_IsNotReportedAgain_UnlessAllStaged()
    {
        using var repo = HookTestRepo.Create();
        var key = FakeKey.New(3);
        repo.Write("app.env", key.EnvFile + "debug=false\n");
        repo.CommitAll("old secret, before keyguard");
        repo.Write("app.env", key.EnvFile + "debug=true\n");
        repo.Git("add", "app.env");

        var added = repo.Keyguard("hook", "pre-commit");
        Assert.True(added.Code == 0, added.ToString());

        var whole = repo.Keyguard("hook", "pre-commit", "--all-staged");
        Assert.True(whole.Code == 1, whole.ToString());
        Assert.Contains("app.env:1", whole.Err);
    }

    [Fact]
    public void AddedSecretLine_PairsWithKeyIdOnUnchangedLine()
    {
        using var repo = HookTestRepo.Create();
        var key = FakeKey.New(4);
        repo.Write("client.py", $"client = make_client(\n    \"{key.Id}\",  # keyguard:allow\n)\n");
        repo.CommitAll("key id only");
        // The secret line has no 'secret' name: it is a secret only because a key ID sits two lines up.
        repo.Write("client.py", $"client = make_client(\n    \"{key.Id}\",  # keyguard:allow\n    \"{key.Secret}\",\n)\n");
        repo.Git("add", "client.py");

        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains("client.py:3", run.Err);
        Assert.Contains("aws-secret-access-key", run.Err);
    }

    [Fact]
    public void Rename_ReportsOnlyLinesTheMoveAdds()
    {
        using var repo = HookTestRepo.Create();
        var oldKey = FakeKey.New(5);
        var newKey = FakeKey.New(6);
        var body = new StringBuilder(oldKey.EnvFile);
        for (int i = 0; i < 20; i++) body.Append($"setting_{i}=value {i}\n");
        repo.Write("old/app.env", body.ToString());
        repo.CommitAll("before keyguard");

        repo.Git("mv", "old", "new");
        var moved = repo.Keyguard("hook", "pre-commit");
        Assert.True(moved.Code == 0, moved.ToString());

        repo.Write("new/app.env", body + $"backup_key={newKey.Id}\n");
        repo.Git("add", "-A");
        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains("new/app.env:23", run.Err);
        Assert.Contains(newKey.Id, run.Err);
        Assert.DoesNotContain(oldKey.Id, run.Err);
    }

    [Fact]
    public void DeletingAFileWithASecret_IsClean()
    {
        using var repo = HookTestRepo.Create();
        repo.Write("app.env", FakeKey.New(7).EnvFile);
        repo.Write("keep.txt", "x\n");
        repo.CommitAll("before keyguard");
        repo.Git("rm", "-q", "app.env");
        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 0, run.ToString());
    }

    [Fact]
    public void BinaryIsSkipped_Utf16TextIsDecoded()
    {
        using var repo = HookTestRepo.Create();
        var key = FakeKey.New(8);
        var binary = new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 0, 0, 1 }.Concat(Encoding.ASCII.GetBytes(key.EnvFile)).ToArray();
        repo.WriteBytes("tool.bin", binary);
        repo.Git("add", "-A");
        var skipped = repo.Keyguard("hook", "pre-commit");
        Assert.True(skipped.Code == 0, skipped.ToString());

        repo.WriteBytes("win.ini", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(key.EnvFile)).ToArray());
        repo.Git("add", "-A");
        var found = repo.Keyguard("hook", "pre-commit");
        Assert.True(found.Code == 1, found.ToString());
        Assert.Contains("win.ini:1", found.Err);
    }

    [Fact]
    public void InlineAllowMarker_LetsTheCommitThrough()
    {
        using var repo = HookTestRepo.Create();
        var key = FakeKey.New(9);
        repo.Write("doc.md", $"Example: {key.Id} <!-- keyguard:allow -->\n");
        repo.Git("add", "-A");
        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 0, run.ToString());
    }

    [Fact]
    public void BaselineAdvice_Works_AcceptedSecretPasses()
    {
        using var repo = HookTestRepo.Create();
        repo.Write("legacy.env", FakeKey.New(10).EnvFile);
        repo.Git("add", "-A");
        Assert.Equal(1, repo.Keyguard("hook", "pre-commit").Code);

        var create = repo.Keyguard("baseline", "create", "-o", ".keyguard-baseline.json", "--no-progress");
        Assert.True(create.Code == 0, create.ToString());
        repo.Write(".keyguard.json", "{ \"baseline\": \".keyguard-baseline.json\" }\n");
        repo.Git("add", "-A");
        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 0, run.ToString());

        repo.Write("new.env", FakeKey.New(11).EnvFile);
        repo.Git("add", "-A");
        Assert.Equal(1, repo.Keyguard("hook", "pre-commit").Code);
    }

    [Fact]
    public void MissingStagedBlob_StopsTheCommitWithExit3()
    {
        using var repo = HookTestRepo.Create();
        repo.Write("a.txt", "some text\n");
        repo.Git("add", "a.txt");
        var sha = repo.Git("rev-parse", ":a.txt").Trim();
        File.Delete(Path.Combine(repo.Dir, ".git", "objects", sha[..2], sha[2..]));

        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 3, run.ToString());
        Assert.Contains("a.txt", run.Err);
        Assert.Contains("could not check everything", run.Err);
        Assert.DoesNotContain("   at ", run.Err);
    }

    [Fact]
    public void OutsideARepository_IsAUsageError()
    {
        using var repo = HookTestRepo.Create();
        var run = repo.KeyguardIn(repo.Home, null, "hook", "pre-commit");
        Assert.True(run.Code == 2, run.ToString());
        Assert.Contains("not inside a git repository", run.Err);
        Assert.DoesNotContain("   at ", run.Err);
    }
}
