using Xunit;
namespace KeyGuard.Tests.Git;

/// <summary><c>keyguard install / uninstall</c>: chaining, --force, core.hooksPath, --global, and real commits.</summary>
public sealed class HookInstallTests
{
    private static readonly string[] Hooks = ["pre-commit", "prepare-commit-msg", "commit-msg", "pre-push"];

    private static string HooksDir(HookTestRepo repo) => Path.Combine(repo.Dir, ".git", "hooks");

    private static void WriteHook(string path, string body)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    [Fact]
    public void Install_BlocksARealCommit_AndCommitAll_AndUninstallRemovesEverything()
    {
        using var repo = HookTestRepo.Create();
        repo.Write("README.md", "demo\n");
        repo.CommitAll("init");
        var install = repo.Keyguard("install");
        Assert.True(install.Code == 0, install.ToString());
        foreach (var hook in Hooks) Assert.True(File.Exists(Path.Combine(HooksDir(repo), hook)), hook);

        var key = FakeKey.New(40);
        repo.Write("app.env", key.EnvFile);
        repo.Git("add", "app.env");
        var commit = repo.TryGit("commit", "-m", "add env");
        Assert.True(commit.Code != 0, commit.ToString());
        Assert.Contains("commit blocked", commit.Err);
        Assert.Contains("app.env:1", commit.Err);
        Assert.DoesNotContain(key.Secret, commit.Err);

        // git commit -a uses a temporary index (GIT_INDEX_FILE): the hook must read that one.
        repo.Git("reset", "-q");
        repo.Write("README.md", "demo\n" + key.EnvFile);
        var commitAll = repo.TryGit("commit", "-a", "-m", "edit readme");
        Assert.True(commitAll.Code != 0, commitAll.ToString());
        Assert.Contains("README.md:2", commitAll.Err);

        // A clean commit goes through silently; a secret in the message does not.
        repo.Write("README.md", "demo\nmore\n");
        Assert.Equal(0, repo.TryGit("commit", "-q", "-a", "-m", "clean").Code);
        repo.Write("README.md", "demo\nmore\nagain\n");
        var msg = repo.TryGit("commit", "-q", "-a", "-m", "key " + key.Id);
        Assert.True(msg.Code != 0, msg.ToString());
        Assert.Contains("in the commit message", msg.Err);

        var uninstall = repo.Keyguard("uninstall");
        Assert.True(uninstall.Code == 0, uninstall.ToString());
        foreach (var hook in Hooks) Assert.False(File.Exists(Path.Combine(HooksDir(repo), hook)), hook);
        Assert.Equal(0, repo.TryGit("commit", "-q", "-a", "-m", "key " + key.Id).Code);
    }

    [Fact]
    public void Install_ChainsAnExistingHook_WhichRunsFirst_AndUninstallRestoresIt()
    {
        using var repo = HookTestRepo.Create();
        var original = Path.Combine(HooksDir(repo), "pre-commit");
        var log = Path.Combine(repo.Root, "ran.log");
        WriteHook(original, $"echo chained >> '{log}'");
        var before = File.ReadAllText(original);

        Assert.Equal(0, repo.Keyguard("install").Code);
        Assert.Contains("keyguard-hook", File.ReadAllText(original));
        Assert.Equal(before, File.ReadAllText(original + ".keyguard-chained"));

        repo.Write("a.txt", "a\n");
        repo.Git("add", "-A");
        Assert.Equal(0, repo.TryGit("commit", "-q", "-m", "a").Code);
        Assert.Equal("chained\n", File.ReadAllText(log));

        // A failing chained hook stops the commit before KeyGuard runs.
        WriteHook(original + ".keyguard-chained", "echo no >&2; exit 7");
        repo.Write("b.txt", "b\n");
        repo.Git("add", "-A");
        Assert.NotEqual(0, repo.TryGit("commit", "-q", "-m", "b").Code);

        // Installing twice updates in place and never chains KeyGuard to itself.
        WriteHook(original + ".keyguard-chained", $"echo chained >> '{log}'");
        Assert.Equal(0, repo.Keyguard("install").Code);
        Assert.False(File.Exists(original + ".keyguard-chained.keyguard-chained"));
        Assert.DoesNotContain("keyguard-hook", File.ReadAllText(original + ".keyguard-chained"));

        Assert.Equal(0, repo.Keyguard("uninstall").Code);
        Assert.Equal(before, File.ReadAllText(original));
        Assert.False(File.Exists(original + ".keyguard-chained"));
        Assert.False(File.Exists(Path.Combine(HooksDir(repo), "pre-push")));
    }

    [Fact]
    public void Force_ReplacesWithoutRunningTheOldHook_UninstallPutsItBack()
    {
        using var repo = HookTestRepo.Create();
        var original = Path.Combine(HooksDir(repo), "commit-msg");
        WriteHook(original, "exit 9");
        Assert.Equal(0, repo.Keyguard("install", "--force").Code);
        Assert.True(File.Exists(original + ".keyguard-replaced"));
        repo.Write("a.txt", "a\n");
        repo.Git("add", "-A");
        Assert.Equal(0, repo.TryGit("commit", "-q", "-m", "a").Code);   // the old exit-9 hook no longer runs

        Assert.Equal(0, repo.Keyguard("uninstall").Code);
        Assert.Equal("#!/bin/sh\nexit 9\n", File.ReadAllText(original));
    }

    [Fact]
    public void Uninstall_LeavesAHookItDidNotWrite()
    {
        using var repo = HookTestRepo.Create();
        Assert.Equal(0, repo.Keyguard("install").Code);
        var hook = Path.Combine(HooksDir(repo), "pre-push");
        WriteHook(hook, "echo mine");
        var run = repo.Keyguard("uninstall");
        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains("left alone", run.Err);
        Assert.Equal("#!/bin/sh\necho mine\n", File.ReadAllText(hook));
    }

    [Fact]
    public void Install_RespectsCoreHooksPath()
    {
        using var repo = HookTestRepo.Create();
        repo.Git("config", "core.hooksPath", ".githooks");
        Assert.Equal(0, repo.Keyguard("install").Code);
        Assert.True(File.Exists(Path.Combine(repo.Dir, ".githooks", "pre-commit")));
        Assert.False(File.Exists(Path.Combine(HooksDir(repo), "pre-commit")));
        repo.Write("app.env", FakeKey.New(41).EnvFile);
        repo.Git("add", "-A");
        Assert.NotEqual(0, repo.TryGit("commit", "-q", "-m", "x").Code);
    }

    [Fact]
    public void Global_SetsCoreHooksPath_RunsRepoHooksToo_UninstallUnsetsIt()
    {
        using var repo = HookTestRepo.Create();
        var log = Path.Combine(repo.Root, "local.log");
        WriteHook(Path.Combine(HooksDir(repo), "pre-commit"), $"echo local >> '{log}'");

        var install = repo.Keyguard("install", "--global");
        Assert.True(install.Code == 0, install.ToString());
        var dir = repo.Git("config", "--global", "core.hooksPath").Trim();
        Assert.Equal(Path.Combine(repo.Home, ".config", "keyguard", "hooks"), dir);

        repo.Write("a.txt", "a\n");
        repo.Git("add", "-A");
        Assert.Equal(0, repo.TryGit("commit", "-q", "-m", "a").Code);
        Assert.Equal("local\n", File.ReadAllText(log));
        repo.Write("app.env", FakeKey.New(42).EnvFile);
        repo.Git("add", "-A");
        Assert.NotEqual(0, repo.TryGit("commit", "-q", "-m", "x").Code);

        Assert.Equal(0, repo.Keyguard("uninstall", "--global").Code);
        Assert.NotEqual(0, repo.TryGit("config", "--global", "core.hooksPath").Code);
        Assert.False(File.Exists(Path.Combine(dir, "pre-commit")));
    }

    [Fact]
    public void Worktree_SharesTheHooks_AndIsChecked()
    {
        using var repo = HookTestRepo.Create();
        repo.Write("README.md", "demo\n");
        repo.CommitAll("init");
        Assert.Equal(0, repo.Keyguard("install").Code);
        var tree = Path.Combine(repo.Root, "wt");
        repo.Git("worktree", "add", "-q", "-b", "side", tree);
        File.WriteAllText(Path.Combine(tree, "app.env"), FakeKey.New(43).EnvFile);
        repo.Git("-C", tree, "add", "app.env");
        var commit = repo.TryGit("-C", tree, "commit", "-m", "in a worktree");
        Assert.True(commit.Code != 0, commit.ToString());
        Assert.Contains("app.env:1", commit.Err);
    }

    [Fact]
    public void Install_OutsideARepository_IsAUsageError()
    {
        using var repo = HookTestRepo.Create();
        var run = repo.KeyguardIn(repo.Home, null, "install");
        Assert.True(run.Code == 2, run.ToString());
        Assert.Contains("not inside a git repository", run.Err);
    }

    [Fact]
    public void HookScripts_AreValidShell_AndMarked()
    {
        var dir = Path.Combine(RepoRoot(), "hooks");
        foreach (var hook in Hooks)
        {
            var path = Path.Combine(dir, hook);
            Assert.Contains("# keyguard-hook: " + hook, File.ReadAllText(path));
            using var p = System.Diagnostics.Process.Start("sh", ["-n", path]);
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
        }
    }

    [Fact]
    public void Installed_hook_fails_closed_with_its_own_message_when_keyguard_is_gone_and_dotnet_is_installed()
    {
        using var repo = HookTestRepo.Create();
        repo.Write("README.md", "demo\n");
        repo.CommitAll("init");
        Assert.Equal(0, repo.Keyguard("install").Code);
        var hook = Path.Combine(HooksDir(repo), "pre-commit");
        // keyguard removed after install: the recorded path no longer exists, nothing on PATH but git and dotnet.
        File.WriteAllText(hook, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(hook),
            "keyguard_installed_from='[^']*'", "keyguard_installed_from='/nonexistent/keyguard.dll'"));
        var psi = new System.Diagnostics.ProcessStartInfo("sh") { WorkingDirectory = repo.Dir, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(hook);
        psi.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        psi.Environment["HOME"] = repo.Home;
        psi.Environment.Remove("KEYGUARD_BIN");
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();

        Assert.True(p.ExitCode == 2, $"exit {p.ExitCode}: {stderr}");
        Assert.Contains("keyguard: cannot find keyguard", stderr);
        Assert.DoesNotContain("Cannot find a tool in the manifest", stderr);
    }

    internal static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "KeyGuard.sln"))) dir = Path.GetDirectoryName(dir)!;
        return dir;
    }
}
