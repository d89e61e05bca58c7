using System.Text.Json;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>
/// Sharded scans of a listed organisation (issue 16, aws-e2e review): each shard listed the whole organisation through
/// the API to keep its own part. Now the organisation is listed once (--list-to FILE) and every shard takes its part of
/// that list (--listing FILE): one listing for any number of shards, the same split, clones with the same token.
/// </summary>
public sealed class OrgListOnceTests : IDisposable
{
    private readonly GitFixture _git = new(173);
    private readonly string _token = "tok" + Guid.NewGuid().ToString("N");
    public void Dispose() => _git.Dispose();

    private string ServerRoot => Path.Combine(_git.Root, "srv");

    private void Publish(string name)
    {
        var work = _git.NewRepo("work-" + name);
        _git.CommitSecret(work, "deploy.env");
        Directory.CreateDirectory(ServerRoot);
        _git.Git(_git.Root, "clone", "-q", "--bare", work, Path.Combine(ServerRoot, name + ".git"));
    }

    private Dictionary<string, string> Env() => new()
    {
        ["HOME"] = _git.Root, ["GIT_CONFIG_NOSYSTEM"] = "1", ["GITHUB_TOKEN"] = "", ["GITLAB_TOKEN"] = "", ["KEYGUARD_GITHUB_TOKEN"] = _token,
    };

    private static HashSet<string> Scanned(string outDir) =>
        GitFixture.Summary(outDir).GetProperty("repositories").EnumerateArray().Select(r => r.GetProperty("repo").GetString()!.Split('/').Last()).ToHashSet();

    [Fact]
    public void The_organisation_is_listed_once_and_each_shard_scans_its_part_of_that_listing()
    {
        foreach (var name in new[] { "api", "web", "billing", "ledger", "fork" }) Publish(name);
        using var git = new AuthenticatingGitServer(ServerRoot, _git.Root, "x-access-token", _token);
        string Repo(string name, bool fork = false) => JsonSerializer.Serialize(new Dictionary<string, object>
            { ["full_name"] = "acme/" + name, ["clone_url"] = $"http://127.0.0.1:{git.Port}/{name}.git", ["archived"] = false, ["fork"] = fork });
        using var api = new FakeCodeHostApi((request, _) => request.Target == "/orgs/acme/repos?type=all&per_page=100"
            ? new(200, $"[{Repo("api")},{Repo("web")},{Repo("billing")},{Repo("ledger")},{Repo("fork", fork: true)}]")
            : new(404, "{\"message\":\"Not Found\"}"));

        var list = _git.OrgScan(Env(), "--github-org", "acme", "--github-api-url", api.Url, "--list-to", "listing.json", "--no-progress");

        Assert.True(list.ExitCode == 0, list.Stdout + list.Stderr);
        Assert.Single(api.Requests);
        var listing = File.ReadAllText(Path.Combine(_git.Root, "listing.json"));
        Assert.DoesNotContain(_token, listing);
        Assert.DoesNotContain("fork.git", listing);                 // filters applied when listing
        Assert.False(File.Exists(Path.Combine(_git.Root, "keyguard-cache.state.db")), "listing scans nothing");

        var shards = new List<HashSet<string>>();
        foreach (var i in new[] { 0, 1 })
        {
            var run = _git.OrgScan(Env(), "--listing", "listing.json", "--shard", $"{i}/2", "--cache", $"c{i}", "--out", $"s{i}", "--no-progress");
            Assert.True(run.ExitCode is 0 or 1, run.Stdout + run.Stderr);
            Assert.DoesNotContain(_token, run.Stdout + run.Stderr);
            shards.Add(Scanned(Path.Combine(_git.Root, $"s{i}")));
        }

        Assert.Single(api.Requests);                                  // the shards did not list again
        Assert.Empty(shards[0].Intersect(shards[1]));
        Assert.Equal(["api", "billing", "ledger", "web"], shards[0].Union(shards[1]).Order());
        Assert.True(git.Authorized > 0, "the shards cloned with the token from the environment");
        foreach (var i in new[] { 0, 1 })
            Assert.All(GitFixture.Summary(Path.Combine(_git.Root, $"s{i}")).GetProperty("repositories").EnumerateArray(),
                r => Assert.Equal("ok", r.GetProperty("outcome").GetString()));
    }

    [Fact]
    public void Listing_and_an_organisation_together_are_a_usage_error()
    {
        File.WriteAllText(Path.Combine(_git.Root, "listing.json"), "{\"version\":1,\"sources\":[]}");
        var run = _git.OrgScan(Env(), "--github-org", "acme", "--listing", "listing.json", "--no-progress");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--listing", run.Stderr);
    }
}
