using KeyGuard.Sources.Git;
using LibGit2Sharp;
using LibGit2Sharp.Handlers;

namespace KeyGuard.Org;

/// <summary>
/// Keeps a bare mirror of each remote repository in the cache: cloned on first sight, then fetched (branches and tags,
/// forced, deleted ones pruned) on later runs. Local repositories are opened where they are, nothing copied.
/// When the git command is installed it does the cloning and fetching, so credentials work the usual git ways (ssh keys
/// and agents, credential helpers, http.extraHeader, insteadOf rewrites). Without it (or with KEYGUARD_GIT=libgit2)
/// LibGit2Sharp does: https, http, git:// and file:// only (no ssh in its native build). On both, http(s) credentials
/// come from the URL or else from KEYGUARD_GIT_USERNAME / KEYGUARD_GIT_TOKEN.
/// Credentials written into an http(s) URL never reach git's command line (readable by every local user through ps)
/// nor the mirror's config: the URL is cloned without them and they travel in the environment (reliability B19).
/// </summary>
internal sealed class MirrorCache(string cacheDir)
{
    private static readonly string[] MirrorRefSpecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

    public string CacheDir { get; } = Path.GetFullPath(cacheDir);

    /// <summary>The git directory to scan for <paramref name="repo"/>, fetched up to date.</summary>
    public string Prepare(RepoSpec repo)
    {
        if (!repo.IsRemote)
        {
            if (!Directory.Exists(repo.Location)) throw new OrgRepoException("no such directory");
            // IsValid takes a work tree or a git directory, and (unlike Discover) never walks up into a parent repository.
            if (!Repository.IsValid(repo.Location)) throw new OrgRepoException("not a git repository");
            return repo.Location;
        }
        var remote = RemoteUrl.Parse(repo.Location).WithEnvironmentToken();
        var path = Path.Combine(CacheDir, repo.FileName + ".git");
        if (!Directory.Exists(path) || !Repository.IsValid(path))
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true); // a clone killed half-way
            // Mirrors hold every leaked secret in full: the cache and each mirror are 0700 (git clone follows the umask).
            SecureDirectory.Create(CacheDir);
            var partial = path + ".partial";
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
            SecureDirectory.Create(partial);
            if (GitCli.Available) GitCli.Run(CacheDir, CloneCommand(remote, partial));
            else Repository.Clone(remote.Url, partial, new CloneOptions(Fetch(remote)) { IsBare = true });
            Directory.Move(partial, path);
        }
        ForgetStoredCredentials(path, remote);
        if (GitCli.Available) SyncWithGit(path, remote);
        else Sync(path, remote);
        return path;
    }

    /// <summary>git's arguments never hold the URL's credentials; the environment does (see <see cref="RemoteUrl.GitEnvironment"/>).</summary>
    internal static GitCommand CloneCommand(RemoteUrl remote, string target) =>
        new(["clone", "--bare", "--quiet", remote.Url, target], remote.GitEnvironment());

    internal static GitCommand FetchCommand(RemoteUrl remote) =>
        new(["fetch", "--quiet", "--prune", "--prune-tags", "--force", "origin", MirrorRefSpecs[0], MirrorRefSpecs[1]], remote.GitEnvironment());

    /// <summary>
    /// The mirror's origin is the URL without credentials; this also cleans mirrors that older versions cloned with the
    /// credentials in their config.
    /// </summary>
    private static void ForgetStoredCredentials(string path, RemoteUrl remote)
    {
        using var git = new Repository(path);
        if (git.Network.Remotes["origin"] is { } origin && origin.Url != remote.Url)
            git.Network.Remotes.Update("origin", r => r.Url = remote.Url);
    }

    /// <summary>The same mirror semantics through the git command: forced fetch of branches and tags, pruning the rest.</summary>
    private static void SyncWithGit(string path, RemoteUrl remote)
    {
        GitCli.Run(path, FetchCommand(remote));
        using var git = new Repository(path);
        foreach (var local in git.Refs.Where(r => r.CanonicalName.StartsWith("refs/remotes/", StringComparison.Ordinal)).ToList())
            git.Refs.Remove(local);
    }

    /// <summary>Makes the mirror's branches and tags exactly the remote's: fetch with force, then drop refs the remote no longer has.</summary>
    private static void Sync(string path, RemoteUrl url)
    {
        using var git = new Repository(path);
        var remote = git.Network.Remotes["origin"];
        Commands.Fetch(git, "origin", MirrorRefSpecs, Fetch(url), "keyguard org-scan");
        var remoteRefs = git.Network.ListReferences(remote, Credentials(url)).Select(r => r.CanonicalName).ToHashSet(StringComparer.Ordinal);
        foreach (var local in git.Refs.ToList())
        {
            bool mirrored = local.CanonicalName.StartsWith("refs/heads/", StringComparison.Ordinal) || local.CanonicalName.StartsWith("refs/tags/", StringComparison.Ordinal);
            if (mirrored && !remoteRefs.Contains(local.CanonicalName)) git.Refs.Remove(local);
            // The clone's remote-tracking branches duplicate the mirrored heads.
            else if (local.CanonicalName.StartsWith("refs/remotes/", StringComparison.Ordinal)) git.Refs.Remove(local);
        }
    }

    private static FetchOptions Fetch(RemoteUrl remote) => new() { CredentialsProvider = Credentials(remote), TagFetchMode = TagFetchMode.All };

    /// <summary>The URL's own credentials, else KEYGUARD_GIT_TOKEN (both already in <paramref name="remote"/>).</summary>
    private static CredentialsHandler Credentials(RemoteUrl remote) => (url, user, types) =>
        remote.UserName != null
            ? new UsernamePasswordCredentials { Username = remote.UserName, Password = remote.Password ?? "" }
            : new DefaultCredentials();
}


/// <summary>
/// A clone URL split into what may be shown and stored (no userinfo) and the credentials an http(s) URL carried.
/// Other schemes keep their user (ssh://git@host names an account, not a secret).
/// </summary>
internal sealed record RemoteUrl(string Url, string? UserName, string? Password)
{
    internal const string UserNameVariable = "KEYGUARD_URL_USERNAME";
    internal const string PasswordVariable = "KEYGUARD_URL_PASSWORD";

    // Runs as git's only credential helper: answers "get" from the environment, ignores "store" and "erase".
    private const string Helper = "!f() { test \"$1\" = get && printf 'username=%s\\npassword=%s\\n' \"$" + UserNameVariable + "\" \"$" + PasswordVariable + "\"; }; f";

    /// <summary>
    /// An http(s) URL without credentials of its own gets KEYGUARD_GIT_USERNAME (default x-access-token) /
    /// KEYGUARD_GIT_TOKEN, so the token reaches the git command as it reaches libgit2 (the shipped deployments pass
    /// only it, and run where git is installed). git and libgit2 both send it only when the server asks.
    /// </summary>
    public RemoteUrl WithEnvironmentToken()
    {
        if (UserName != null || !Url.StartsWith("http", StringComparison.OrdinalIgnoreCase)) return this;
        var token = System.Environment.GetEnvironmentVariable("KEYGUARD_GIT_TOKEN");
        if (string.IsNullOrEmpty(token)) return this;
        var user = System.Environment.GetEnvironmentVariable("KEYGUARD_GIT_USERNAME");
        return this with { UserName = string.IsNullOrEmpty(user) ? "x-access-token" : user, Password = token };
    }

    public static RemoteUrl Parse(string location)
    {
        int scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0 || !location[..scheme].ToLowerInvariant().StartsWith("http", StringComparison.Ordinal)) return new(location, null, null);
        int hostStart = scheme + 3;
        int authorityEnd = location.IndexOfAny(['/', '?', '#'], hostStart);
        if (authorityEnd < 0) authorityEnd = location.Length;
        int at = location.LastIndexOf('@', authorityEnd - 1, authorityEnd - hostStart);
        if (at < 0) return new(location, null, null);
        var userInfo = location[hostStart..at];
        int colon = userInfo.IndexOf(':');
        var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
        var password = colon < 0 ? null : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        return new(location[..hostStart] + location[(at + 1)..], user, password);
    }

    /// <summary>
    /// For the git command: the credentials in environment variables (readable only by this user, unlike argv) and,
    /// through GIT_CONFIG_* (appended after any the caller set), a credential helper that hands them to git. The empty
    /// helper first clears the user's helpers, so the URL's credentials win as they did inside the URL and are never
    /// stored by a helper.
    /// </summary>
    public IReadOnlyDictionary<string, string> GitEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (UserName == null) return env;
        int n = int.TryParse(System.Environment.GetEnvironmentVariable("GIT_CONFIG_COUNT"), out var count) && count > 0 ? count : 0;
        env[$"GIT_CONFIG_KEY_{n}"] = "credential.helper";
        env[$"GIT_CONFIG_VALUE_{n}"] = "";
        env[$"GIT_CONFIG_KEY_{n + 1}"] = "credential.helper";
        env[$"GIT_CONFIG_VALUE_{n + 1}"] = Helper;
        env["GIT_CONFIG_COUNT"] = (n + 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        env[UserNameVariable] = UserName;
        env[PasswordVariable] = Password ?? "";
        return env;
    }
}

/// <summary>A repository that could not be scanned: recorded in the state and the summary, the run goes on.</summary>
internal sealed class OrgRepoException(string message) : Exception(message);
