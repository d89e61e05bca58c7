namespace KeyGuard.Org;

/// <summary>
/// Collects the repositories of an org scan: a list file (one local path or clone URL per line, # comments, paths
/// relative to the file) and/or a directory whose children are checkouts or bare mirrors. Duplicates collapse on
/// their identity.
/// </summary>
internal static class RepoList
{
    /// <param name="listed">Repositories listed from a code host's API (--github-org, --gitlab-group).</param>
    public static List<RepoSpec> Load(string? listFile, string? directory, IEnumerable<RepoSpec>? listed = null)
    {
        // Listed first: named also in the list file, a repository keeps the listing's clone credentials.
        var specs = new List<RepoSpec>(listed ?? []);
        if (listFile != null) specs.AddRange(FromFile(listFile));
        if (directory != null) specs.AddRange(FromDirectory(directory));
        // One repository however it is named; named both ways, it is read in place rather than cloned.
        return specs.GroupBy(s => s.Identity, StringComparer.Ordinal).Select(g => g.FirstOrDefault(s => !s.IsRemote) ?? g.First())
            .OrderBy(s => s.Identity, StringComparer.Ordinal).ToList();
    }

    public static IEnumerable<RepoSpec> FromFile(string file)
    {
        if (!File.Exists(file)) throw new InvalidInputException($"--repos: {file}: file not found");
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        foreach (var raw in File.ReadLines(file))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            yield return RepoSpec.Parse(line, baseDir);
        }
    }

    /// <summary>Every child folder that is a git repository (has .git, or is bare: HEAD + objects/).</summary>
    public static IEnumerable<RepoSpec> FromDirectory(string dir)
    {
        if (!Directory.Exists(dir)) throw new InvalidInputException($"--dir: {dir}: directory not found");
        // Children come back already joined with dir; RepoSpec.Parse joins with the base again, so both must be absolute.
        var fullDir = Path.GetFullPath(dir);
        foreach (var child in Directory.EnumerateDirectories(fullDir).Order(StringComparer.Ordinal))
        {
            bool checkout = Directory.Exists(Path.Combine(child, ".git")) || File.Exists(Path.Combine(child, ".git"));
            bool bare = File.Exists(Path.Combine(child, "HEAD")) && Directory.Exists(Path.Combine(child, "objects"));
            if (checkout || bare) yield return RepoSpec.Parse(child, fullDir);
        }
    }
}

/// <summary>--shard i/n: repository i of n by a stable hash of its identity, never by list order.</summary>
internal sealed record ShardSpec(int Index, int Count)
{
    public static readonly ShardSpec All = new(0, 1);

    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int i) || !int.TryParse(parts[1], out int n) || n < 1 || i < 0 || i >= n)
            throw new InvalidInputException($"--shard: '{text}' is not i/n with 0 <= i < n");
        return new ShardSpec(i, n);
    }

    public bool Contains(RepoSpec repo) => Count == 1 || (int)(StableHash.Of(repo.Identity) % (ulong)Count) == Index;

    public override string ToString() => $"{Index}/{Count}";
}
