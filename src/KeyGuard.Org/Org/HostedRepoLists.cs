using System.Net.Http.Headers;

namespace KeyGuard.Org;

/// <summary>A repository as a code host's API lists it.</summary>
internal sealed record HostedRepo(string FullName, string CloneUrl, bool Archived, bool Fork);

/// <summary>One organisation or group as listed (and filtered): where its API is and its repositories' clone URLs.</summary>
internal sealed record HostedSource(string Host, string Name, Uri Api, IReadOnlyList<HostedRepo> Repos)
{
    public const string GitHub = "github";
    public const string GitLab = "gitlab";
}

/// <summary>What to list (--github-org, --gitlab-group) and how to filter it.</summary>
internal sealed class HostedListingRequest
{
    public IReadOnlyList<string> GitHubOrgs { get; init; } = [];
    public Uri GitHubApi { get; init; } = GitHubRepos.DefaultApi;
    public IReadOnlyList<string> GitLabGroups { get; init; } = [];
    public Uri GitLabApi { get; init; } = GitLabRepos.DefaultApi;
    /// <summary>Archived repositories are scanned unless --skip-archived: a key leaked there is as readable as anywhere.</summary>
    public bool IncludeArchived { get; init; } = true;
    /// <summary>Forks are skipped unless --include-forks: their history is mostly their upstream's.</summary>
    public bool IncludeForks { get; init; }
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Lists the repositories of GitHub organisations and GitLab groups and turns them into org-scan entries. The API token
/// (from the environment only) is also the clone credential for the same host: it travels inside the entry's URL, which
/// the mirror cache takes apart so it reaches git through the environment, never its command line, logs or the state.
/// </summary>
internal static class HostedRepoLists
{
    /// <param name="notice">(source, event, message): progress worth a line, e.g. a rate-limit wait or a listing's counts.</param>
    public static List<RepoSpec> Load(HostedListingRequest request, Action<string, string, string> notice, CancellationToken ct = default) =>
        Specs(List(request, notice, ct));

    /// <summary>Every organisation and group of the request, listed and filtered; no token in the result.</summary>
    public static List<HostedSource> List(HostedListingRequest request, Action<string, string, string> notice, CancellationToken ct = default)
    {
        var sources = new List<HostedSource>();
        foreach (var org in request.GitHubOrgs)
        {
            var source = $"github:{org}";
            using var api = GitHubRepos.Api(request.GitHubApi, GitHubRepos.Token(), request.MaxWait, m => notice(source, "rate-limited", $"--github-org {org}: {m}"));
            var kept = Filter(source, $"--github-org {org}", Listed(() => GitHubRepos.ListAsync(api, org, ct), $"--github-org {org}"), request, api.HasToken, notice);
            sources.Add(new HostedSource(HostedSource.GitHub, org, api.BaseUrl, kept));
        }
        foreach (var group in request.GitLabGroups)
        {
            var source = $"gitlab:{group}";
            using var api = GitLabRepos.Api(request.GitLabApi, GitLabRepos.Token(), request.MaxWait, m => notice(source, "rate-limited", $"--gitlab-group {group}: {m}"));
            var kept = Filter(source, $"--gitlab-group {group}", Listed(() => GitLabRepos.ListAsync(api, group, ct), $"--gitlab-group {group}"), request, api.HasToken, notice);
            sources.Add(new HostedSource(HostedSource.GitLab, group, api.BaseUrl, kept));
        }
        return sources;
    }

    /// <summary>
    /// The org-scan entries of listed repositories. The token (read from the environment here, as the listing read it)
    /// goes into the clone URLs of the host that issued it, so a listing saved to a file clones as the live one does.
    /// </summary>
    public static List<RepoSpec> Specs(IEnumerable<HostedSource> sources)
    {
        var specs = new List<RepoSpec>();
        foreach (var s in sources)
        {
            var (user, token) = s.Host == HostedSource.GitHub ? (GitHubRepos.CloneUser, GitHubRepos.Token()) : (GitLabRepos.CloneUser, GitLabRepos.Token());
            specs.AddRange(s.Repos.Select(r => RepoSpec.Parse(CloneLocation(r.CloneUrl, s.Api, user, token), Directory.GetCurrentDirectory())));
        }
        return specs;
    }

    private static List<HostedRepo> Listed(Func<Task<List<HostedRepo>>> list, string option)
    {
        try { return list().GetAwaiter().GetResult(); }
        catch (RepoListingException e) { throw new RepoListingException($"{option}: {e.Message}"); }
    }

    private static List<HostedRepo> Filter(string source, string option, List<HostedRepo> repos, HostedListingRequest request, bool hasToken,
        Action<string, string, string> notice)
    {
        int archived = repos.Count(r => r.Archived), forks = repos.Count(r => r.Fork);
        var kept = repos.Where(r => (request.IncludeArchived || !r.Archived) && (request.IncludeForks || !r.Fork)).ToList();
        notice(source, "listed", $"{option}: {repos.Count} repositories listed, {kept.Count} to scan " +
            $"({archived} archived {(request.IncludeArchived ? "included" : "skipped (--skip-archived)")}, " +
            $"{forks} fork{(forks == 1 ? "" : "s")} {(request.IncludeForks ? "included" : "skipped (--include-forks to scan)")})" +
            (hasToken ? "" : "; no token: only public repositories are visible"));
        return kept;
    }

    /// <summary>
    /// The clone URL with the API token as its credentials, when the repository lives on the host that issued the token
    /// (api.github.com issues github.com's; a GitHub Enterprise or GitLab API, its own host's) and the transport is
    /// encrypted or local. Anything else is cloned as listed, with the usual git credentials.
    /// </summary>
    internal static string CloneLocation(string cloneUrl, Uri api, string user, string? token)
    {
        if (token == null || !Uri.TryCreate(cloneUrl, UriKind.Absolute, out var clone) || clone.UserInfo.Length > 0) return cloneUrl;
        bool sameHost = string.Equals(clone.Host, api.Host, StringComparison.OrdinalIgnoreCase)
                        || string.Equals("api." + clone.Host, api.Host, StringComparison.OrdinalIgnoreCase);
        bool safe = clone.Scheme == Uri.UriSchemeHttps || (clone.Scheme == Uri.UriSchemeHttp && clone.IsLoopback);
        if (!sameHost || !safe) return cloneUrl;
        return $"{clone.Scheme}://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(token)}@{clone.Authority}{clone.PathAndQuery}";
    }

    internal static string? FromEnvironment(params string[] names) =>
        names.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}

/// <summary>GitHub (and GitHub Enterprise Server): GET /orgs/{org}/repos, every type, 100 per page.</summary>
internal static class GitHubRepos
{
    public static readonly Uri DefaultApi = new("https://api.github.com/");
    public const string TokenVariable = "KEYGUARD_GITHUB_TOKEN";
    // GitHub accepts any user name with a token over https; this one is what its own tools use.
    public const string CloneUser = "x-access-token";

    public static string? Token() => HostedRepoLists.FromEnvironment(TokenVariable, "GITHUB_TOKEN");

    public static HostedApi Api(Uri baseUrl, string? token, TimeSpan maxWait, Action<string> notice) =>
        new("GitHub", baseUrl, token, TokenVariable, Authorize, maxWait, notice);

    private static void Authorize(HttpRequestHeaders headers, string token)
    {
        headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        headers.Accept.ParseAdd("application/vnd.github+json");
        headers.TryAddWithoutValidation("X-GitHub-Api-Version", "2022-11-28");
    }

    public static async Task<List<HostedRepo>> ListAsync(HostedApi api, string org, CancellationToken ct)
    {
        var what = $"organisation '{org}'";
        var pages = await api.GetAllAsync(api.Url($"orgs/{Uri.EscapeDataString(org)}/repos?type=all&per_page=100"),
            HostedRepoJsonContext.Default.ListGitHubRepoWire, what, ct);
        return pages.Select(r => r.FullName is { Length: > 0 } && r.CloneUrl is { Length: > 0 }
            ? new HostedRepo(r.FullName, r.CloneUrl, r.Archived, r.Fork)
            : throw new RepoListingException($"GitHub: a repository of {what} has no full_name or clone_url")).ToList();
    }
}

/// <summary>GitLab (gitlab.com or self-managed): GET /groups/{group}/projects with subgroups, 100 per page.</summary>
internal static class GitLabRepos
{
    public static readonly Uri DefaultApi = new("https://gitlab.com/api/v4/");
    public const string TokenVariable = "KEYGUARD_GITLAB_TOKEN";
    // GitLab checks only the token; "oauth2" is the user name its documentation gives for token clones.
    public const string CloneUser = "oauth2";

    public static string? Token() => HostedRepoLists.FromEnvironment(TokenVariable, "GITLAB_TOKEN");

    public static HostedApi Api(Uri baseUrl, string? token, TimeSpan maxWait, Action<string> notice) =>
        new("GitLab", baseUrl, token, TokenVariable, (headers, t) => headers.TryAddWithoutValidation("PRIVATE-TOKEN", t), maxWait, notice);

    public static async Task<List<HostedRepo>> ListAsync(HostedApi api, string group, CancellationToken ct)
    {
        var what = $"group '{group}'";
        // Subgroups included (a group's projects, as its members see them); projects shared into it from elsewhere are not.
        var pages = await api.GetAllAsync(api.Url($"groups/{Uri.EscapeDataString(group)}/projects?include_subgroups=true&with_shared=false&per_page=100&order_by=id&sort=asc"),
            HostedRepoJsonContext.Default.ListGitLabProjectWire, what, ct);
        return pages.Select(p => p.PathWithNamespace is { Length: > 0 } && p.HttpUrlToRepo is { Length: > 0 }
            ? new HostedRepo(p.PathWithNamespace, p.HttpUrlToRepo, p.Archived, p.ForkedFromProject != null)
            : throw new RepoListingException($"GitLab: a project of {what} has no path_with_namespace or http_url_to_repo")).ToList();
    }
}
