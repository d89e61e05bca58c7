namespace KeyGuard.Sources.Git.Staged;

/// <summary>
/// Finds the repository around a path, like <c>Repository.Discover</c>. LibGit2Sharp's Discover returns nothing
/// under NativeAOT (its path marshaller), while opening a known path works, so the walk up is done here.
/// Returns a path to open with <c>new Repository(path)</c>: a work tree root (libgit2 follows a <c>.git</c> file, as
/// worktrees and submodules have) or a bare repository / git dir; null outside any repository.
/// </summary>
internal static class GitRepositoryLocator
{
    public static string? Discover(string start)
    {
        var full = Path.GetFullPath(start);
        var dir = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full).Directory;
        for (; dir != null; dir = dir.Parent)
        {
            var dotGit = Path.Combine(dir.FullName, ".git");
            if (Directory.Exists(dotGit) || File.Exists(dotGit)) return dir.FullName;
            if (IsGitDir(dir.FullName)) return dir.FullName;
        }
        return null;
    }

    private static bool IsGitDir(string dir) =>
        File.Exists(Path.Combine(dir, "HEAD")) && Directory.Exists(Path.Combine(dir, "objects")) && Directory.Exists(Path.Combine(dir, "refs"));
}
