using LibGit2Sharp;
using LibGit2Sharp.Handlers;

namespace KeyGuard.Org;

/// <summary>
/// Keeps a bare mirror of each remote repository in the cache: cloned on first sight, then fetched (branches and tags,
/// forced, deleted ones pruned) on later runs. Local repositories are opened where they are, nothing copied.
/// When the git command is installed it does the cloning and fetching, so credentials work the usual git ways (ssh keys
/// and agents, credential helpers, http.extraHeader, insteadOf rewrites). Without it (or with KEYGUARD_GIT=libgit2)
/// LibGit2Sharp does: https, http, git:// and file:// only (no ssh in its native build), with https credentials from the
/// URL or from KEYGUARD_GIT_USERNAME / KEYGUARD_GIT_TOKEN.
/// </summary>
public sealed class MirrorCache(string cacheDir)
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
        var path = Path.Combine(CacheDir, repo.FileName + ".git");
        if (!Directory.Exists(path) || !Repository.IsValid(path))
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true); // a clone killed half-way
            // Mirrors hold every leaked secret in full: the cache and each mirror are 0700 (git clone follows the umask).
            SecureDirectory.Create(CacheDir);
            var partial = path + ".partial";
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
            SecureDirectory.Create(partial);
            if (GitCli.Available) GitCli.Run(CacheDir, "clone", "--bare", "--quiet", repo.Location, partial);
            else Repository.Clone(repo.Location, partial, new CloneOptions(Fetch()) { IsBare = true });
            Directory.Move(partial, path);
        }
        if (GitCli.Available) SyncWithGit(path);
        else Sync(path);
        return path;
    }

    /// <summary>The same mirror semantics through the git command: forced fetch of branches and tags, pruning the rest.</summary>
    private static void SyncWithGit(string path)
    {
        GitCli.Run(path, "fetch", "--quiet", "--prune", "--prune-tags", "--force", "origin", MirrorRefSpecs[0], MirrorRefSpecs[1]);
        using var git = new Repository(path);
        foreach (var local in git.Refs.Where(r => r.CanonicalName.StartsWith("refs/remotes/", StringComparison.Ordinal)).ToList())
            git.Refs.Remove(local);
    }

    /// <summary>Makes the mirror's branches and tags exactly the remote's: fetch with force, then drop refs the remote no longer has.</summary>
    private static void Sync(string path)
    {
        using var git = new Repository(path);
        var remote = git.Network.Remotes["origin"];
        Commands.Fetch(git, "origin", MirrorRefSpecs, Fetch(), "keyguard org-scan");
        var remoteRefs = git.Network.ListReferences(remote, Credentials()).Select(r => r.CanonicalName).ToHashSet(StringComparer.Ordinal);
        foreach (var local in git.Refs.ToList())
        {
            bool mirrored = local.CanonicalName.StartsWith("refs/heads/", StringComparison.Ordinal) || local.CanonicalName.StartsWith("refs/tags/", StringComparison.Ordinal);
            if (mirrored && !remoteRefs.Contains(local.CanonicalName)) git.Refs.Remove(local);
            // The clone's remote-tracking branches duplicate the mirrored heads.
            else if (local.CanonicalName.StartsWith("refs/remotes/", StringComparison.Ordinal)) git.Refs.Remove(local);
        }
    }

    private static FetchOptions Fetch() => new() { CredentialsProvider = Credentials(), TagFetchMode = TagFetchMode.All };

    private static CredentialsHandler Credentials() => (url, user, types) =>
    {
        var token = Environment.GetEnvironmentVariable("KEYGUARD_GIT_TOKEN");
        if (token is { Length: > 0 })
            return new UsernamePasswordCredentials { Username = Environment.GetEnvironmentVariable("KEYGUARD_GIT_USERNAME") ?? "x-access-token", Password = token };
        return new DefaultCredentials();
    };
}

/// <summary>Runs the git command for clones and fetches, when it is installed.</summary>
internal static class GitCli
{
    public static readonly bool Available = Environment.GetEnvironmentVariable("KEYGUARD_GIT") != "libgit2" && Find() != null;

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "git")).FirstOrDefault(File.Exists);

    public static void Run(string workingDirectory, params string[] args)
    {
        var psi = KeyGuard.Sources.Git.SafeGit.StartInfo(workingDirectory, args);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        _ = stdout.Result;
        if (p.ExitCode != 0)
            throw new OrgRepoException($"git {args[0]} failed: {stderr.Trim().Split('\n').LastOrDefault() ?? $"exit {p.ExitCode}"}");
    }
}

/// <summary>A repository that could not be scanned: recorded in the state and the summary, the run goes on.</summary>
public sealed class OrgRepoException(string message) : Exception(message);
