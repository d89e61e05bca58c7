using System.Text.Json;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>Remote repositories are cloned with the git command when installed, so git's own configuration applies.</summary>
public sealed class OrgGitCredentialsTests
{
    [Fact]
    public void Git_configuration_such_as_insteadOf_rewrites_is_honoured_when_cloning()
    {
        using var dir = new TempDir();
        var source = Path.Combine(dir.Path, "origin", "service-a");
        LibGit2Sharp.Repository.Init(source);
        var key = new FakeCredentials(3).KeyId();
        using (var r = new LibGit2Sharp.Repository(source))
        {
            File.WriteAllText(Path.Combine(source, "app.env"), $"AWS_ACCESS_KEY_ID={key}\n");
            LibGit2Sharp.Commands.Stage(r, "app.env");
            var sig = new LibGit2Sharp.Signature("dev", "dev@example.invalid", DateTimeOffset.UtcNow);
            r.Commit("config", sig, sig, new LibGit2Sharp.CommitOptions());
        }
        // The list names a host that does not exist; the user's git config maps it to the real location, as
        // companies do for mirrors and ssh rewrites. libgit2 alone would fail to resolve git.invalid.
        var home = Path.Combine(dir.Path, "home");
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, ".gitconfig"), $"[url \"file://{source}\"]\n\tinsteadOf = https://git.invalid/team/service-a.git\n");
        dir.Write("repos.txt", "https://git.invalid/team/service-a.git\n");
        var env = new Dictionary<string, string> { ["HOME"] = home, ["GIT_CONFIG_NOSYSTEM"] = "1" };
        var run = KeyGuardProcess.Run(dir.Path, null, env, "org-scan", "--repos", "repos.txt", "--cache", "cache", "--out", "out", "--no-progress");
        Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "out", "summary.json"))).RootElement.ToString();
        Assert.Contains(key, summary);
    }
}
