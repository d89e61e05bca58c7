using LibGit2Sharp;
using Microsoft.Extensions.FileSystemGlobbing;

namespace KeyGuard.Sources;

/// <summary>A file to scan: its path on disk and the path findings report.</summary>
public readonly record struct WalkedFile(string FullPath, string DisplayPath);

public sealed class WalkOptions
{
    public bool NoIgnore { get; init; }
    public bool FollowSymlinks { get; init; }
    public IReadOnlyList<string> Include { get; init; } = [];
    public IReadOnlyList<string> Exclude { get; init; } = [];
}

/// <summary>
/// Enumerates files under the scan paths. Hidden files are scanned (.env, .aws/ and .github/ are where secrets
/// live); only .git is skipped. Inside a git work tree .gitignore is honoured unless NoIgnore. Symlinks are
/// skipped (and counted) unless FollowSymlinks; then a broken one is an error.
/// </summary>
public sealed class FileWalker(WalkOptions options)
{
    public List<(string Path, string Message)> Errors { get; } = [];
    public List<string> SkippedSymlinks { get; } = [];
    public int IgnoredCount { get; private set; }

    public List<WalkedFile> Walk(string root)
    {
        var files = new List<WalkedFile>();
        var full = Path.GetFullPath(root);
        if (File.Exists(full) || (!Directory.Exists(full) && IsLink(full)))
        {
            var info = new FileInfo(full);
            if (info.LinkTarget != null && !File.Exists(full)) { Errors.Add((root, "broken symbolic link")); return files; }
            files.Add(new WalkedFile(full, root));
            return files;
        }
        if (!Directory.Exists(full)) { Errors.Add((root, "no such file or directory")); return files; }

        Repository? repo = null;
        string? workdir = null;
        if (!options.NoIgnore)
        {
            try
            {
                var gitDir = KeyGuard.Sources.Git.Staged.GitRepositoryLocator.Discover(full);
                if (gitDir != null)
                {
                    repo = new Repository(gitDir);
                    workdir = repo.Info.IsBare ? null : Path.GetFullPath(repo.Info.WorkingDirectory);
                    if (workdir == null) { repo.Dispose(); repo = null; }
                }
            }
            catch (LibGit2SharpException) { repo = null; }
        }
        try
        {
            Matcher? include = null, exclude = null;
            if (options.Include.Count > 0) { include = new Matcher(); include.AddIncludePatterns(options.Include); }
            if (options.Exclude.Count > 0) { exclude = new Matcher(); exclude.AddIncludePatterns(options.Exclude); }
            var visited = new HashSet<string>(StringComparer.Ordinal);
            WalkDirectory(full, root, "", repo, workdir, include, exclude, files, visited);
        }
        finally { repo?.Dispose(); }
        return files;
    }

    private static bool IsLink(string path)
    {
        try { return new FileInfo(path).LinkTarget != null; } catch (IOException) { return false; }
    }

    private void WalkDirectory(string dir, string displayRoot, string relative, Repository? repo, string? workdir,
        Matcher? include, Matcher? exclude, List<WalkedFile> files, HashSet<string> visited)
    {
        if (options.FollowSymlinks)
        {
            // Guard against symlink cycles by the resolved directory.
            var resolved = new DirectoryInfo(dir).ResolveLinkTarget(true)?.FullName ?? dir;
            if (!visited.Add(resolved)) return;
        }
        IEnumerable<FileSystemInfo> entries;
        try { entries = new DirectoryInfo(dir).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList(); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            Errors.Add((Display(displayRoot, relative), e is UnauthorizedAccessException ? "permission denied" : e.Message));
            return;
        }
        foreach (var entry in entries)
        {
            var rel = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
            bool isDir = entry is DirectoryInfo;
            if (isDir && entry.Name == ".git") continue;
            if (repo != null && IsIgnored(repo, workdir!, entry.FullName, isDir)) { IgnoredCount++; continue; }

            if (entry.LinkTarget != null)
            {
                if (!options.FollowSymlinks) { SkippedSymlinks.Add(Display(displayRoot, rel)); continue; }
                var target = entry.ResolveLinkTarget(true);
                if (target == null || !target.Exists) { Errors.Add((Display(displayRoot, rel), "broken symbolic link")); continue; }
                isDir = target is DirectoryInfo;
            }
            if (isDir)
            {
                WalkDirectory(entry.FullName, displayRoot, rel, repo, workdir, include, exclude, files, visited);
                continue;
            }
            if (include != null && !include.Match(rel).HasMatches) continue;
            if (exclude != null && exclude.Match(rel).HasMatches) continue;
            files.Add(new WalkedFile(entry.FullName, Display(displayRoot, rel)));
        }
    }

    private static bool IsIgnored(Repository repo, string workdir, string fullPath, bool isDir)
    {
        if (!fullPath.StartsWith(workdir, StringComparison.Ordinal)) return false;
        var rel = fullPath[workdir.Length..].Replace('\\', '/');
        if (rel.Length == 0) return false;
        try { return repo.Ignore.IsPathIgnored(isDir ? rel + "/" : rel); }
        catch (LibGit2SharpException) { return false; }
    }

    /// <summary>Findings name files the way the user named the root: "src/a.env" for ".", "/tmp/x/a.env" for "/tmp/x".</summary>
    public static string Display(string root, string relative)
    {
        if (relative.Length == 0) return root;
        if (root is "." or "./") return relative;
        return root.EndsWith('/') ? root + relative : root + "/" + relative;
    }
}
