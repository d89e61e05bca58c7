using LibGit2Sharp;

namespace KeyGuard.Sources.Git;

/// <summary>
/// The repositories one command has opened, by the path they were opened with: a scan reads one repository for its
/// config root, its git-secrets settings and its ignore files, and each libgit2 open reads every git config file
/// again. Callers do not dispose what they get here; disposing this closes them all.
/// </summary>
internal sealed class OpenRepositories : IDisposable
{
    private readonly Dictionary<string, Repository> _open = new(StringComparer.Ordinal);

    /// <summary>The repository at <paramref name="path"/> (as for <c>new Repository(path)</c>, which throws the same).</summary>
    public Repository Open(string path)
    {
        var key = Path.GetFullPath(path);
        lock (_open)
        {
            if (!_open.TryGetValue(key, out var repo)) _open[key] = repo = new Repository(key);
            return repo;
        }
    }

    /// <summary>The repository at <paramref name="path"/>: shared from <paramref name="repositories"/> when given, else
    /// opened for the caller alone; disposing the lease closes only the latter.</summary>
    public static Lease Borrow(OpenRepositories? repositories, string path) =>
        repositories != null ? new(repositories.Open(path), owned: false) : new(new Repository(path), owned: true);

    public readonly struct Lease(Repository repository, bool owned) : IDisposable
    {
        public Repository Repository => repository;
        public void Dispose() { if (owned) repository.Dispose(); }
    }

    public void Dispose()
    {
        lock (_open)
        {
            foreach (var repo in _open.Values) repo.Dispose();
            _open.Clear();
        }
    }
}
