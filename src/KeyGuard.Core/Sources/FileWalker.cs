using System.IO.Enumeration;
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
        Walk(root, files.Add);
        return files;
    }

    /// <summary>Hands each file to <paramref name="onFile"/> as soon as it is found, so scanning overlaps walking.</summary>
    public void Walk(string root, Action<WalkedFile> onFile)
    {
        var full = Path.GetFullPath(root);
        if (File.Exists(full) || (!Directory.Exists(full) && IsLink(full)))
        {
            var info = new FileInfo(full);
            if (info.LinkTarget != null && !File.Exists(full)) { Errors.Add((root, "broken symbolic link")); return; }
            onFile(new WalkedFile(full, root));
            return;
        }
        if (!Directory.Exists(full)) { Errors.Add((root, "no such file or directory")); return; }

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
                    // A root the user named explicitly is scanned even if git ignores it, as ripgrep does.
                    if (workdir == null || IsIgnored(repo, workdir, full, isDir: true)) { repo.Dispose(); repo = null; }
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
            WalkDirectory(full, root, "", repo, workdir, include, exclude, onFile, visited);
        }
        finally { repo?.Dispose(); }
    }

    private static bool _noLinkAccessor;

    /// <summary>
    /// Whether an entry is a symbolic link, from the directory listing's entry type. The public route,
    /// <see cref="FileSystemEntry.Attributes"/>, costs an lstat and a geteuid per file: half of walking a tree.
    /// </summary>
    private static bool IsLink(ref FileSystemEntry e)
    {
        if (!_noLinkAccessor)
        {
            try { return EntryIsSymbolicLink(ref e); }
            catch (MissingMethodException) { _noLinkAccessor = true; }
        }
        return (e.Attributes & FileAttributes.ReparsePoint) != 0;
    }

    [System.Runtime.CompilerServices.UnsafeAccessor(System.Runtime.CompilerServices.UnsafeAccessorKind.Method, Name = "get_IsSymbolicLink")]
    private static extern bool EntryIsSymbolicLink(ref FileSystemEntry entry);

    private static bool IsLink(string path)
    {
        try { return new FileInfo(path).LinkTarget != null; } catch (IOException) { return false; }
    }

    private void WalkDirectory(string dir, string displayRoot, string relative, Repository? repo, string? workdir,
        Matcher? include, Matcher? exclude, Action<WalkedFile> onFile, HashSet<string> visited)
    {
        if (options.FollowSymlinks)
        {
            // Guard against symlink cycles by the resolved directory.
            var resolved = new DirectoryInfo(dir).ResolveLinkTarget(true)?.FullName ?? dir;
            if (!visited.Add(resolved)) return;
        }
        List<(string Name, string FullPath, bool IsDirectory, bool IsLink)> entries;
        try
        {
            // The raw directory entries: type and link flag come from the listing itself, with no stat per file.
            entries = new FileSystemEnumerable<(string, string, bool, bool)>(dir,
                (ref FileSystemEntry e) => (e.FileName.ToString(), e.ToFullPath(), e.IsDirectory, IsLink(ref e)),
                new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0, ReturnSpecialDirectories = false }).ToList();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            Errors.Add((Display(displayRoot, relative), e is UnauthorizedAccessException ? "permission denied" : e.Message));
            return;
        }
        foreach (var (name, fullPath, isDirectory, isLink) in entries)
        {
            var rel = relative.Length == 0 ? name : relative + "/" + name;
            bool isDir = isDirectory;
            if (isDir && name == ".git") continue;
            if (repo != null && IsIgnored(repo, workdir!, fullPath, isDir)) { IgnoredCount++; continue; }

            if (isLink)
            {
                if (!options.FollowSymlinks) { SkippedSymlinks.Add(Display(displayRoot, rel)); continue; }
                var target = new FileInfo(fullPath).ResolveLinkTarget(true);
                if (target == null || !target.Exists) { Errors.Add((Display(displayRoot, rel), "broken symbolic link")); continue; }
                isDir = target is DirectoryInfo;
            }
            if (isDir)
            {
                WalkDirectory(fullPath, displayRoot, rel, repo, workdir, include, exclude, onFile, visited);
                continue;
            }
            // A fixed root: Match(file) alone asks the OS for the current directory on every call.
            if (include != null && !include.Match("/", rel).HasMatches) continue;
            if (exclude != null && exclude.Match("/", rel).HasMatches) continue;
            onFile(new WalkedFile(fullPath, Display(displayRoot, rel)));
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
