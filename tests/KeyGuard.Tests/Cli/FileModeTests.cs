using KeyGuard.Tests.Aws;
using KeyGuard.Tests.Org;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Cli;

/// <summary>
/// Files that hold secrets or state are 0600 and folders 0700 even under umask 022 (reliability B33 / 4.20):
/// reports, baselines, plans, org state, cache and mirrors, org outputs, the audit log and new keys.
/// </summary>
public sealed class FileModeTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDir = Private | UnixFileMode.UserExecute;

    private static void AssertMode(UnixFileMode expected, string path) =>
        Assert.True(File.GetUnixFileMode(path) == expected, $"{path}: {Convert.ToString((int)File.GetUnixFileMode(path), 8)}, expected {Convert.ToString((int)expected, 8)}");

    [Fact]
    public void Scan_reports_baselines_and_plans_written_to_files_are_0600()
    {
        using var dir = new TempDir();
        var fake = new FakeCredentials(420);
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={fake.KeyId()}\nAWS_SECRET_ACCESS_KEY={fake.Secret()}\n");
        foreach (var format in new[] { "text", "json", "sarif", "csv" })
            Assert.Equal(1, KeyGuardProcess.RunUnderUmask("022", dir.Path, null, "scan", "app", "-f", format, "-o", $"report.{format}").ExitCode);
        Assert.Equal(0, KeyGuardProcess.RunUnderUmask("022", dir.Path, null, "baseline", "create", "app", "-o", "baseline.json").ExitCode);
        Assert.Equal(1, KeyGuardProcess.RunUnderUmask("022", dir.Path, null, "scan", "app", "-f", "json", "-o", "findings.json").ExitCode);
        var plan = KeyGuardProcess.RunUnderUmask("022", dir.Path, null, "plan", "--findings", "findings.json", "--offline", "-o", "plan.md");
        Assert.True(plan.ExitCode == 0, plan.Stderr);
        foreach (var file in new[] { "report.text", "report.json", "report.sarif", "report.csv", "baseline.json", "findings.json", "plan.md" })
            AssertMode(Private, Path.Combine(dir.Path, file));
    }

    [Fact]
    public void Org_scan_state_cache_mirrors_and_outputs_are_private()
    {
        using var git = new GitFixture(421);
        var origin = git.NewRepo("origin");
        git.CommitSecret(origin, "deploy.sh");
        File.WriteAllText(Path.Combine(git.Root, "repos.txt"), $"file://{origin}\n");
        var r = KeyGuardProcess.RunUnderUmask("022", git.Root, null, "org-scan", "--repos", "repos.txt", "--cache", "cache", "--out", "out", "--plan");
        Assert.True(r.ExitCode == 1, r.Stderr);
        var cache = Path.Combine(git.Root, "cache");
        AssertMode(PrivateDir, cache);
        AssertMode(PrivateDir, Assert.Single(Directory.GetDirectories(cache)));
        AssertMode(Private, Path.Combine(git.Root, "cache.state.db"));
        var merge = KeyGuardProcess.RunUnderUmask("022", git.Root, null, "org-merge", "out", "--out", "merged");
        Assert.True(merge.ExitCode == 1, merge.Stderr);
        foreach (var outDir in new[] { "out", "merged" })
        {
            var full = Path.Combine(git.Root, outDir);
            AssertMode(PrivateDir, full);
            AssertMode(PrivateDir, Path.Combine(full, "repos"));
            var files = Directory.GetFiles(full, "*", SearchOption.AllDirectories);
            Assert.Contains(Path.Combine(full, "state.db"), files);
            Assert.Contains(Path.Combine(full, "summary.html"), files);
            Assert.All(files, file => AssertMode(Private, file));
        }
    }

    [Fact]
    public async Task Apply_audit_log_and_new_keys_are_0600()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var leaked = bed.Keys.ActiveIdle;
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={leaked.AccessKeyId}\nAWS_SECRET_ACCESS_KEY={leaked.SecretAccessKey}\n");
        var env = bed.OperatorEnvironment();
        var url = bed.Server.Url.ToString();
        Assert.Equal(0, KeyGuardProcess.RunUnderUmask("022", dir.Path, env, "plan", "app", "--endpoint-url", url, "--format", "json", "-o", "plan.json").ExitCode);
        var run = KeyGuardProcess.RunUnderUmask("022", dir.Path, env, "apply", "plan.json", "--endpoint-url", url, "--yes", "--new-keys", "new-keys.jsonl", "--only", "deactivate", "--only", "create");
        Assert.True(run.ExitCode == 0, run.Stderr);
        AssertMode(Private, Path.Combine(dir.Path, "plan.json"));
        AssertMode(Private, Path.Combine(dir.Path, "keyguard-audit.jsonl"));
        AssertMode(Private, Path.Combine(dir.Path, "new-keys.jsonl"));
    }
}
