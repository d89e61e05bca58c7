using LibGit2Sharp;

namespace KeyGuard.Sources.Git;

/// <summary>One line on why libgit2 could not open a repository, with what would fix the common cases.</summary>
internal static class UnreadableRepository
{
    public static string Explain(LibGit2SharpException e, string path)
    {
        var message = e.Message.Trim();
        if (message.Contains("not owned by current user", StringComparison.Ordinal))
        {
            var root = e.Message.Split('\'') is { Length: >= 3 } parts ? parts[1] : Path.GetFullPath(path);
            return $"{message} (if you trust it: git config --global --add safe.directory {root})";
        }
        if (message.Contains("unknown object format", StringComparison.Ordinal))
            return $"{message} (a SHA-256 repository: libgit2 cannot open it; scan --history and the hooks read it through git)";
        return message;
    }
}
