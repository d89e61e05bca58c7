using System.Text.Json;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>
/// org-scan --github-org / --gitlab-group (issue 16): the organisation's repositories are listed from a loopback fake
/// of the code host's API (pagination, a rate limit, archived and fork repositories, a bad token) and cloned from an
/// authenticating loopback git server with the same token, which never shows in output, logs, state or mirrors.
/// </summary>
public sealed class OrgHostedListingTests : IDisposable
{
    private readonly GitFixture _git = new(161);
    private readonly string _token = "tok" + Guid.NewGuid().ToString("N");
    public void Dispose() => _git.Dispose();

    private string ServerRoot => Path.Combine(_git.Root, "srv");

    /// <summary>A bare repository on the git server; with a generated key pair unless clean.</summary>
    private string? Publish(string name, bool withKey = true)
    {
        var work = _git.NewRepo("work-" + name);
        var key = withKey ? _git.CommitSecret(work, "deploy.env") : null;
        Directory.CreateDirectory(ServerRoot);
        _git.Git(_git.Root, "clone", "-q", "--bare", work, Path.Combine(ServerRoot, name + ".git"));
        return key;
    }

    private Dictionary<string, string> Env(params (string, string)[] extra)
    {
        var env = new Dictionary<string, string> { ["HOME"] = _git.Root, ["GIT_CONFIG_NOSYSTEM"] = "1", ["GITHUB_TOKEN"] = "", ["GITLAB_TOKEN"] = "" };
        foreach (var (k, v) in extra) env[k] = v;
        return env;
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static HashSet<string> ScannedNames(JsonElement summary) =>
        summary.GetProperty("repositories").EnumerateArray().Select(r => r.GetProperty("repo").GetString()!.Split('/').Last()).ToHashSet();

    private static List<JsonElement> Events(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void GitHub_org_is_listed_across_pages_and_a_rate_limit_archived_kept_forks_skipped_cloned_with_the_token()
    {
        var apiKey = Publish("api")!;
        Publish("web", withKey: false);
        var archivedKey = Publish("old")!;
        var forkKey = Publish("fork")!;
        using var git = new AuthenticatingGitServer(ServerRoot, _git.Root, "x-access-token", _token);
        string Repo(string name, bool archived = false, bool fork = false) =>
            Json(new Dictionary<string, object> { ["full_name"] = "acme/" + name, ["clone_url"] = $"http://127.0.0.1:{git.Port}/{name}.git", ["archived"] = archived, ["fork"] = fork, ["private"] = true });
        int page2 = 0;
        using var api = new FakeCodeHostApi((request, self) => request.Target switch
        {
            "/orgs/acme/repos?type=all&per_page=100" => new(200, $"[{Repo("api")},{Repo("web")}]",
                new Dictionary<string, string> { ["Link"] = $"<{self.Url}/orgs/acme/repos?type=all&per_page=100&page=2>; rel=\"next\", <{self.Url}/orgs/acme/repos?type=all&per_page=100&page=2>; rel=\"last\"" }),
            // GitHub's primary rate limit: 403, nothing remaining, reset a second from now; the listing waits and goes on.
            "/orgs/acme/repos?type=all&per_page=100&page=2" when Interlocked.Increment(ref page2) == 1 => new(403, Json(new { message = "API rate limit exceeded" }),
                new Dictionary<string, string> { ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset"] = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString() }),
            "/orgs/acme/repos?type=all&per_page=100&page=2" => new(200, $"[{Repo("old", archived: true)},{Repo("fork", fork: true)}]"),
            _ => new(404, Json(new { message = "Not Found" })),
        });
        var env = Env(("KEYGUARD_GITHUB_TOKEN", _token));

        var run = _git.OrgScan(env, "--github-org", "acme", "--github-api-url", api.Url, "--cache", "c1", "--out", "out1", "--no-progress");

        Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
        var summary = GitFixture.Summary(Path.Combine(_git.Root, "out1"));
        Assert.Equal(["api", "old", "web"], ScannedNames(summary).Order());
        var keys = GitFixture.Findings(summary).Select(f => f.KeyId).ToHashSet();
        Assert.Contains(apiKey, keys);
        Assert.Contains(archivedKey, keys);          // archived repositories are scanned by default
        Assert.DoesNotContain(forkKey, keys);        // forks are not
        Assert.All(summary.GetProperty("repositories").EnumerateArray(), r => Assert.Equal("ok", r.GetProperty("outcome").GetString()));
        Assert.All(api.Requests, r => Assert.Equal("Bearer " + _token, r.Authorization));
        Assert.Equal(2, page2);
        Assert.True(git.Authorized > 0, "the clones authenticated with the API token");
        var events = Events(run.Stderr);   // stderr is JSON lines only
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "rate-limited");
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "listed" && e.GetProperty("message").GetString()!.Contains("4 repositories listed, 3 to scan"));
        AssertTokenNowhere(run);

        var filtered = _git.OrgScan(env, "--github-org", "acme", "--github-api-url", api.Url, "--skip-archived", "--include-forks",
            "--cache", "c2", "--state", "s2.db", "--out", "out2", "--no-progress");
        Assert.True(filtered.ExitCode == 1, filtered.Stdout + filtered.Stderr);
        Assert.Equal(["api", "fork", "web"], ScannedNames(GitFixture.Summary(Path.Combine(_git.Root, "out2"))).Order());
        AssertTokenNowhere(filtered);
    }

    [Fact]
    public void GitLab_group_with_subgroups_is_listed_by_X_Next_Page_after_a_429_with_its_private_token()
    {
        var apiKey = Publish("billing")!;
        Publish("ledger");
        Publish("archive");
        Publish("forked");
        using var git = new AuthenticatingGitServer(ServerRoot, _git.Root, "oauth2", _token);
        string Project(string name, bool archived = false, bool fork = false)
        {
            var p = new Dictionary<string, object> { ["path_with_namespace"] = "platform/backend/" + name, ["http_url_to_repo"] = $"http://127.0.0.1:{git.Port}/{name}.git", ["archived"] = archived };
            if (fork) p["forked_from_project"] = new { path_with_namespace = "upstream/" + name };
            return Json(p);
        }
        const string First = "/api/v4/groups/platform%2Fbackend/projects?include_subgroups=true&with_shared=false&per_page=100&order_by=id&sort=asc";
        int limited = 0;
        using var api = new FakeCodeHostApi((request, _) => request.Target switch
        {
            First => new(200, $"[{Project("billing")},{Project("archive", archived: true)}]", new Dictionary<string, string> { ["X-Next-Page"] = "2", ["X-Page"] = "1" }),
            First + "&page=2" when Interlocked.Increment(ref limited) == 1 => new(429, Json(new { message = "Retry later" }), new Dictionary<string, string> { ["Retry-After"] = "1" }),
            First + "&page=2" => new(200, $"[{Project("ledger")},{Project("forked", fork: true)}]", new Dictionary<string, string> { ["X-Next-Page"] = "", ["X-Page"] = "2" }),
            _ => new(404, Json(new { message = "404 Group Not Found" })),
        });

        var run = _git.OrgScan(Env(("KEYGUARD_GITLAB_TOKEN", _token)), "--gitlab-group", "platform/backend", "--gitlab-url", api.Url,
            "--cache", "c", "--out", "out", "--no-progress");

        Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
        var summary = GitFixture.Summary(Path.Combine(_git.Root, "out"));
        Assert.Equal(["archive", "billing", "ledger"], ScannedNames(summary).Order());
        Assert.Contains(apiKey, GitFixture.Findings(summary).Select(f => f.KeyId));
        Assert.Equal(2, limited);
        Assert.All(api.Requests, r => Assert.Equal(_token, r.PrivateToken));
        Assert.True(git.Authorized > 0);
        AssertTokenNowhere(run);
    }

    [Fact]
    public void A_bad_token_fails_the_run_in_one_line_with_exit_3_and_no_report()
    {
        using var api = new FakeCodeHostApi((_, _) => new(401, Json(new { message = "Bad credentials" })));

        var run = _git.OrgScan(Env(("KEYGUARD_GITHUB_TOKEN", _token)), "--github-org", "acme", "--github-api-url", api.Url, "--out", "out", "--no-progress");

        Assert.Equal(3, run.ExitCode);
        var failure = Assert.Single(Events(run.Stderr));
        Assert.Equal("listing-failed", failure.GetProperty("event").GetString());
        var error = failure.GetProperty("error").GetString()!;
        Assert.Contains("--github-org acme", error);
        Assert.Contains("401", error);
        Assert.Contains("KEYGUARD_GITHUB_TOKEN", error);
        Assert.False(File.Exists(Path.Combine(_git.Root, "out", "summary.json")), "no summary: a failed listing is never a clean report");
        Assert.Equal("", run.Stdout);
        AssertTokenNowhere(run);
    }

    [Fact]
    public void A_rate_limit_beyond_api_max_wait_fails_at_once_naming_the_reset_time()
    {
        // Half a minute into its minute: the wait is counted a second past the reset, which must not roll the minute.
        var hour = DateTimeOffset.UtcNow.AddHours(1);
        var reset = new DateTimeOffset(hour.Year, hour.Month, hour.Day, hour.Hour, hour.Minute, 30, TimeSpan.Zero);
        using var api = new FakeCodeHostApi((_, _) => new(403, Json(new { message = "API rate limit exceeded" }),
            new Dictionary<string, string> { ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset"] = reset.ToUnixTimeSeconds().ToString() }));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var run = _git.OrgScan(Env(("KEYGUARD_GITHUB_TOKEN", _token)), "--github-org", "acme", "--github-api-url", api.Url,
            "--api-max-wait", "30", "--out", "out", "--no-progress");

        Assert.Equal(3, run.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "it did not wait for an hour-long limit");
        var error = Assert.Single(Events(run.Stderr)).GetProperty("error").GetString()!;
        Assert.Contains("rate limited", error);
        Assert.Contains("--api-max-wait 30", error);
        Assert.Contains($"{reset:HH:mm}", error);
        Assert.False(File.Exists(Path.Combine(_git.Root, "out", "summary.json")));
    }

    [Fact]
    public void A_next_page_on_another_origin_is_refused_and_never_gets_the_token()
    {
        using var elsewhere = new FakeCodeHostApi((_, _) => new(200, "[]"));
        using var api = new FakeCodeHostApi((_, _) => new(200, "[]", new Dictionary<string, string> { ["Link"] = $"<{elsewhere.Url}/orgs/acme/repos?page=2>; rel=\"next\"" }));

        var run = _git.OrgScan(Env(("KEYGUARD_GITHUB_TOKEN", _token)), "--github-org", "acme", "--github-api-url", api.Url, "--no-progress");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("not the API's origin", Assert.Single(Events(run.Stderr)).GetProperty("error").GetString());
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public void A_plain_http_api_off_this_machine_is_a_usage_error_before_any_request()
    {
        var run = _git.OrgScan(Env(("KEYGUARD_GITHUB_TOKEN", _token)), "--github-org", "acme", "--github-api-url", "http://ghe.example.invalid/api/v3", "--no-progress");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("in clear", run.Stderr);
    }

    /// <summary>The token in no output, event, state, mirror config or report.</summary>
    private void AssertTokenNowhere(KeyGuardProcess.Result run)
    {
        Assert.DoesNotContain(_token, run.Stdout + run.Stderr);
        var written = Directory.GetFiles(_git.Root, "*.db*")
            .Concat(Directory.GetDirectories(_git.Root).Where(d => Path.GetFileName(d) is not "srv" && !Path.GetFileName(d).StartsWith("work-"))
                .SelectMany(d => Directory.GetFiles(d, "*", SearchOption.AllDirectories)));
        Assert.All(written, file => Assert.DoesNotContain(_token, System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(file))));
    }
}
