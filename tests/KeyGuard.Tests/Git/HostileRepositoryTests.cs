using System.Diagnostics;
using KeyGuard.Tests.Support;
using Xunit;

namespace KeyGuard.Tests.Git;

/// <summary>
/// Scanning a repository never runs code that repository names in its own config (fsmonitor through git diff-tree,
/// secrets.providers), and a repository libgit2 cannot open (another owner, SHA-256, a broken config, a stale
/// worktree link) still has its files scanned, with one warning instead of a crash.
/// </summary>
public sealed class HostileRepositoryTests : IDisposable
{
    private readonly HistoryRepo _repo = new();
    private readonly FakeCredentials _fake = new(13);

    public void Dispose() => _repo.Dispose();

    private Dictionary<string, string> Env(params (string, string)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["HOME"] = _repo.Home, ["XDG_CONFIG_HOME"] = Path.Combine(_repo.Home, ".config"), ["GIT_CONFIG_NOSYSTEM"] = "1",
        };
        foreach (var (k, v) in extra) env[k] = v;
        return env;
    }

    private string Marker(string name) => Path.Combine(_repo.Root, "PWNED-" + name);

    private void PlantKey()
    {
        _repo.Write("creds.env", $"aws_access_key_id = {_fake.KeyId("AKIA", "123456789012")}\naws_secret_access_key = {_fake.Secret()}\n");
    }

    [Theory]
    [InlineData("default")]
    [InlineData("git-reader")]
    public void History_sweep_never_runs_the_repositorys_fsmonitor(string reader)
    {
        PlantKey();
        _repo.Commit("one");
        _repo.Write("creds.env", "gone\n");
        _repo.Commit("two");
        var marker = Marker("fsmonitor");
        _repo.Git($"config core.fsmonitor \"touch '{marker}'; false\"");
        _repo.Git("status --short");   // the marker fires under plain git: the trap is armed
        Assert.True(File.Exists(marker));
        File.Delete(marker);

        var env = Env();
        if (reader == "git-reader") env["KEYGUARD_PACK_READER"] = "0";
        var r = KeyGuardProcess.Run(_repo.Root, null, env, "scan", "--history", _repo.Dir, "--no-progress");

        Assert.Equal(1, r.ExitCode);
        Assert.False(File.Exists(marker), "git started by keyguard ran the repository's core.fsmonitor");
    }

    [Fact]
    public void A_repositorys_own_secrets_providers_run_only_when_the_user_trusts_it()
    {
        _repo.Write("a.txt", "hello\n");
        _repo.Commit("one");
        var marker = Marker("provider");
        _repo.Git($"config secrets.providers \"touch '{marker}'\"");

        var r = KeyGuardProcess.Run(_repo.Dir, null, Env(), "scan", ".");
        Assert.Equal(0, r.ExitCode);
        Assert.False(File.Exists(marker), "scan ran secrets.providers from the scanned repository's .git/config");
        Assert.Contains("keyguard.trustProviders", r.Stderr);

        _repo.RunGit($"config --global --add keyguard.trustProviders \"{_repo.Dir}\"", _repo.Root);
        r = KeyGuardProcess.Run(_repo.Dir, null, Env(), "scan", ".");
        Assert.Equal(0, r.ExitCode);
        Assert.True(File.Exists(marker), "a trusted repository's provider should run, as git-secrets runs it");
    }

    public static TheoryData<string> Unopenable => new() { "sha256", "broken-config", "stale-worktree", "other-owner" };

    [Theory]
    [MemberData(nameof(Unopenable))]
    public void A_repository_libgit2_cannot_open_still_has_its_files_scanned(string kind)
    {
        var dir = Path.Combine(_repo.Root, kind);
        Directory.CreateDirectory(dir);
        switch (kind)
        {
            case "sha256": _repo.RunGit("init -q --object-format=sha256", dir); break;
            case "broken-config": _repo.RunGit("init -q", dir); File.AppendAllText(Path.Combine(dir, ".git", "config"), "[core\n"); break;
            case "stale-worktree": File.WriteAllText(Path.Combine(dir, ".git"), "gitdir: /nonexistent/worktrees/x\n"); break;
            case "other-owner":
                _repo.RunGit("init -q", dir);
                if (Environment.UserName != "root") return;   // only root can give a folder away (CI runs as root)
                var chown = Process.Start("chown", ["-R", "nobody", dir])!;
                chown.WaitForExit();
                Assert.Equal(0, chown.ExitCode);
                break;
        }
        var id = _fake.KeyId("AKIA", "123456789012");
        File.WriteAllText(Path.Combine(dir, "creds.env"), $"aws_access_key_id = {id}\naws_secret_access_key = {_fake.Secret()}\n");

        var r = KeyGuardProcess.Run(dir, null, Env(), "scan", ".");

        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains(id, r.Stdout);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.DoesNotContain("Unhandled", r.Stderr);
        if (kind == "other-owner") Assert.Contains("safe.directory", r.Stderr);
        var baseline = KeyGuardProcess.Run(dir, null, Env(), "baseline", "create", "-o", Path.Combine(_repo.Root, kind + ".baseline.json"), ".");
        Assert.DoesNotContain("Unhandled", baseline.Stderr);
        Assert.True(baseline.ExitCode is 0 or 1, $"baseline exit {baseline.ExitCode}: {baseline.Stderr}");
    }
}
