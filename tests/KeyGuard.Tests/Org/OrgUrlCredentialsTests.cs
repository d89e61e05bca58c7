using KeyGuard.Org;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>
/// Credentials written into a clone URL (reliability B19, case 4.11) never reach git's argv nor the mirror's config:
/// the URL is cloned without them and they travel in the environment.
/// </summary>
public sealed class OrgUrlCredentialsTests : IDisposable
{
    private readonly GitFixture _git = new(19);

    public void Dispose() => _git.Dispose();

    private string Token() => _git.Fake.Chars(28, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    [Fact]
    public void Git_arguments_carry_the_url_without_its_credentials()
    {
        var token = Token();
        var remote = RemoteUrl.Parse($"http://ci-user:{token}@127.0.0.1:4580/team/repo.git");

        Assert.Equal("http://127.0.0.1:4580/team/repo.git", remote.Url);
        foreach (var command in new[] { MirrorCache.CloneCommand(remote, "/cache/repo.git.partial"), MirrorCache.FetchCommand(remote) })
        {
            Assert.All(command.Arguments, a => Assert.DoesNotContain(token, a));
            Assert.All(command.Arguments, a => Assert.DoesNotContain("ci-user", a));
            Assert.Equal(token, command.Environment[RemoteUrl.PasswordVariable]);
            Assert.Equal("ci-user", command.Environment[RemoteUrl.UserNameVariable]);
            // The helper that hands them to git reads the variables; its text holds no secret.
            Assert.All(command.Environment.Where(e => e.Key.StartsWith("GIT_CONFIG_")), e => Assert.DoesNotContain(token, e.Value));
        }
        Assert.Contains("http://127.0.0.1:4580/team/repo.git", MirrorCache.CloneCommand(remote, "/x").Arguments);
    }

    [Theory]
    [InlineData("https://x-access-token:p%40ss%3Aword@github.com/org/repo.git", "https://github.com/org/repo.git", "x-access-token", "p@ss:word")]
    [InlineData("https://only-a-token@git.example/r.git", "https://git.example/r.git", "only-a-token", null)]
    [InlineData("https://git.example/team@2024/r.git", "https://git.example/team@2024/r.git", null, null)]
    [InlineData("ssh://git@git.example/r.git", "ssh://git@git.example/r.git", null, null)]
    [InlineData("git@git.example:org/r.git", "git@git.example:org/r.git", null, null)]
    [InlineData("file:///srv/r.git", "file:///srv/r.git", null, null)]
    public void Only_http_userinfo_is_taken_out_of_the_url(string location, string url, string? user, string? password)
    {
        var remote = RemoteUrl.Parse(location);
        Assert.Equal((url, user, password), (remote.Url, remote.UserName, remote.Password));
        Assert.Equal(user == null, remote.GitEnvironment().Count == 0);
    }

    [Theory]
    [InlineData("")]          // the git command
    [InlineData("libgit2")]   // LibGit2Sharp
    public void A_server_demanding_the_url_credentials_is_mirrored_and_the_mirror_stores_none(string gitMode)
    {
        var token = Token();
        var work = _git.NewRepo("work");
        var key = _git.CommitSecret(work, "deploy.env");
        var serverRoot = Path.Combine(_git.Root, "srv");
        Directory.CreateDirectory(serverRoot);
        _git.Git(_git.Root, "clone", "-q", "--bare", work, Path.Combine(serverRoot, "repo.git"));
        using var server = new AuthenticatingGitServer(serverRoot, _git.Root, "ci-user", token);
        var cleanUrl = $"http://127.0.0.1:{server.Port}/repo.git";
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), $"http://ci-user:{token}@127.0.0.1:{server.Port}/repo.git\n");
        var env = new Dictionary<string, string> { ["HOME"] = _git.Root, ["GIT_CONFIG_NOSYSTEM"] = "1", ["KEYGUARD_GIT"] = gitMode };

        var first = _git.OrgScan(env, "--repos", "repos.txt", "--cache", "cache", "--out", "out1", "--no-progress");

        Assert.True(first.ExitCode == 1, first.Stderr);
        Assert.Contains(GitFixture.Findings(GitFixture.Summary(Path.Combine(_git.Root, "out1"))), f => f.KeyId == key);
        Assert.True(server.Authorized > 0, "the credentials reached the server");
        var mirror = Directory.GetDirectories(Path.Combine(_git.Root, "cache"), "*.git").Single();
        Assert.Equal(cleanUrl, _git.Git(mirror, "config", "--file", "config", "remote.origin.url"));
        AssertNowhere(token);

        // A mirror an older version cloned with the credentials in its config is cleaned on the next fetch, which
        // still authenticates.
        _git.Git(mirror, "config", "--file", "config", "remote.origin.url", $"http://ci-user:{token}@127.0.0.1:{server.Port}/repo.git");
        int before = server.Authorized;
        var second = _git.OrgScan(env, "--repos", "repos.txt", "--cache", "cache", "--out", "out2", "--no-progress");
        Assert.True(second.ExitCode == 1, second.Stderr);
        Assert.True(server.Authorized > before, "the fetch authenticated");
        Assert.Equal(cleanUrl, _git.Git(mirror, "config", "--file", "config", "remote.origin.url"));
        AssertNowhere(token);
    }

    /// <summary>No file KeyGuard wrote (cache, state, reports) holds the token.</summary>
    private void AssertNowhere(string token)
    {
        var written = Directory.GetFiles(Path.Combine(_git.Root, "cache"), "*", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(_git.Root, "*.db"))
            .Concat(Directory.GetDirectories(_git.Root, "out*").SelectMany(d => Directory.GetFiles(d, "*", SearchOption.AllDirectories)));
        Assert.All(written, file => Assert.DoesNotContain(token, System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(file))));
    }
}
