using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>
/// KEYGUARD_GIT_TOKEN (what the shipped Kubernetes and GitHub Actions setups pass) authenticates clones and fetches of
/// plain https URLs on both transports: the git command, installed wherever those setups run, and libgit2
/// (review 2026-12-06-aws-e2e, high 1).
/// </summary>
public sealed class OrgGitTokenTests : IDisposable
{
    private readonly GitFixture _git = new(163);
    public void Dispose() => _git.Dispose();

    [Theory]
    [InlineData("")]          // the git command
    [InlineData("libgit2")]   // LibGit2Sharp
    public void The_environment_token_reaches_the_server_and_is_stored_nowhere(string gitMode)
    {
        var token = "tok" + Guid.NewGuid().ToString("N");
        var work = _git.NewRepo("work");
        var key = _git.CommitSecret(work, "deploy.env");
        var serverRoot = Path.Combine(_git.Root, "srv");
        Directory.CreateDirectory(serverRoot);
        _git.Git(_git.Root, "clone", "-q", "--bare", work, Path.Combine(serverRoot, "repo.git"));
        using var server = new AuthenticatingGitServer(serverRoot, _git.Root, "ci-user", token);
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), $"http://127.0.0.1:{server.Port}/repo.git\n");
        var env = new Dictionary<string, string>
        {
            ["HOME"] = _git.Root, ["GIT_CONFIG_NOSYSTEM"] = "1", ["KEYGUARD_GIT"] = gitMode,
            ["KEYGUARD_GIT_USERNAME"] = "ci-user", ["KEYGUARD_GIT_TOKEN"] = token,
        };

        var run = _git.OrgScan(env, "--repos", "repos.txt", "--cache", "cache", "--out", "out", "--no-progress");
        var again = _git.OrgScan(env, "--repos", "repos.txt", "--cache", "cache", "--out", "out2", "--no-progress");

        Assert.True(run.ExitCode == 1, run.Stderr);
        Assert.True(again.ExitCode == 1, again.Stderr);
        Assert.Contains(GitFixture.Findings(GitFixture.Summary(Path.Combine(_git.Root, "out"))), f => f.KeyId == key);
        Assert.True(server.Authorized > 0);
        Assert.DoesNotContain(token, run.Stdout + run.Stderr + again.Stdout + again.Stderr);
        var written = Directory.GetFiles(Path.Combine(_git.Root, "cache"), "*", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(_git.Root, "*.db*"))
            .Concat(Directory.GetDirectories(_git.Root, "out*").SelectMany(d => Directory.GetFiles(d, "*", SearchOption.AllDirectories)));
        Assert.All(written, file => Assert.DoesNotContain(token, System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(file))));
    }
}
