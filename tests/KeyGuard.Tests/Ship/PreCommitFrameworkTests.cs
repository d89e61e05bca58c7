using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Ship;

/// <summary>
/// The real pre-commit (Debian's package; .ci/run installs it) against a repository whose .pre-commit-config.yaml
/// names a git copy of these sources (repo: path, rev: commit). No keyguard is on PATH: pre-commit builds the tool
/// itself (language: dotnet). A staged key is blocked, a clean change passes, --all-files finds a committed key, and
/// --from-ref/--to-ref scans the commits of the range.
/// </summary>
public sealed class PreCommitFrameworkTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Language_dotnet_hook_blocks_a_staged_key_passes_a_clean_change_and_checks_all_files_and_ranges()
    {
        Assert.True(ShipSupport.OnPath("pre-commit"), "pre-commit is not installed (apt-get install pre-commit; .ci/run does)");
        var hookRepo = Path.Combine(_dir.Path, "keyguard");
        var rev = ShipSupport.CommitSources(hookRepo);
        var app = Path.Combine(_dir.Path, "app");
        Directory.CreateDirectory(app);

        var path = string.Join(':', (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Where(d => !File.Exists(Path.Combine(d, "keyguard"))));
        var env = new Dictionary<string, string?>
        {
            ["PATH"] = path,
            ["PRE_COMMIT_HOME"] = Path.Combine(_dir.Path, "pre-commit-cache"),
            ["GIT_AUTHOR_NAME"] = "t", ["GIT_AUTHOR_EMAIL"] = "t@t.invalid",
            ["GIT_COMMITTER_NAME"] = "t", ["GIT_COMMITTER_EMAIL"] = "t@t.invalid",
            ["PRE_COMMIT_COLOR"] = "never",
        };
        ShipSupport.Result Git(params string[] args) => ShipSupport.Run("git", args, app, env, timeoutSeconds: 900);
        ShipSupport.Result PreCommit(params string[] args) => ShipSupport.Run("pre-commit", args, app, env, timeoutSeconds: 900);
        void Ok(ShipSupport.Result r) => Assert.True(r.ExitCode == 0, r.ToString());

        Assert.False(ShipSupport.Run("sh", ["-c", "command -v keyguard"], app, env).ExitCode == 0, "keyguard must not be on PATH");
        Ok(Git("init", "-q"));
        File.WriteAllText(Path.Combine(app, ".pre-commit-config.yaml"),
            $"repos:\n  - repo: {hookRepo}\n    rev: {rev}\n    hooks:\n      - id: keyguard\n");
        Ok(PreCommit("install"));

        // A clean change passes (the first run builds the hook's environment: dotnet pack + dotnet tool install).
        File.WriteAllText(Path.Combine(app, "README.md"), "# app\n");
        Ok(Git("add", "-A"));
        Ok(Git("commit", "-q", "-m", "clean"));

        // A staged key pair is blocked, and the secret is not printed.
        var fake = new FakeCredentials(4242);
        var keyId = fake.KeyId();
        var secret = fake.Secret();
        File.WriteAllText(Path.Combine(app, "settings.py"), $"aws_access_key_id = \"{keyId}\"\naws_secret_access_key = \"{secret}\"\n");
        Ok(Git("add", "settings.py"));
        var blocked = Git("commit", "-q", "-m", "leak");
        Assert.True(blocked.ExitCode != 0, blocked.ToString());
        Assert.Contains("settings.py", blocked.Stdout + blocked.Stderr);
        Assert.DoesNotContain(secret, blocked.Stdout + blocked.Stderr);
        Assert.Equal("clean", Git("log", "-1", "--format=%s").Stdout.Trim());

        // A second clean commit, then the key committed past the hook.
        Ok(Git("reset", "-q"));
        File.Move(Path.Combine(app, "settings.py"), Path.Combine(_dir.Path, "settings.py.aside"));
        File.WriteAllText(Path.Combine(app, "notes.txt"), "nothing secret\n");
        Ok(Git("add", "notes.txt"));
        Ok(Git("commit", "-q", "-m", "clean 2"));
        File.Move(Path.Combine(_dir.Path, "settings.py.aside"), Path.Combine(app, "settings.py"));
        Ok(Git("add", "settings.py"));
        Ok(Git("commit", "-q", "--no-verify", "-m", "leak past the hook"));

        // --all-files (what CI and pre-commit.ci run) is no longer a silent pass: nothing is staged, files are scanned whole.
        var all = PreCommit("run", "--all-files");
        Assert.True(all.ExitCode != 0, all.ToString());
        Assert.Contains("settings.py", all.Stdout);

        // A range: the commit that brought the key fails, a clean range passes.
        var leakRange = PreCommit("run", "--from-ref", "HEAD~1", "--to-ref", "HEAD");
        Assert.True(leakRange.ExitCode != 0, leakRange.ToString());
        Assert.Contains("settings.py", leakRange.Stdout);
        Ok(PreCommit("run", "--from-ref", "HEAD~2", "--to-ref", "HEAD~1"));
    }
}
