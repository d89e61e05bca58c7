using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git;

/// <summary>
/// In a pre-receive hook the objects being pushed are not in the repository yet: git keeps them in a quarantine
/// directory and names it in GIT_OBJECT_DIRECTORY (git 2.13+; GitLab, Gitea and Gitolite run hooks the same way).
/// git itself reads them through that variable; libgit2 does not, so the directories are added to the open
/// repository's object database as alternates, in memory (nothing is written to the repository).
/// </summary>
internal static class Quarantine
{
    private const string Library = LibGit2Limits.Library;

    [DllImport(Library)] private static extern int git_repository_odb(out IntPtr odb, IntPtr repo);
    [DllImport(Library)] private static extern int git_odb_add_disk_alternate(IntPtr odb, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);
    [DllImport(Library)] private static extern void git_odb_free(IntPtr odb);

    // LibGit2Sharp keeps its libgit2 handle internal; this reads it without reflection (works under NativeAOT).
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_Handle")]
    [return: UnsafeAccessorType("LibGit2Sharp.Core.Handles.RepositoryHandle, LibGit2Sharp")]
    private static extern object RepositoryHandle(Repository repo);

    /// <summary>The object directories git named for this process, besides the repository's own.</summary>
    public static List<string> Directories()
    {
        var dirs = new List<string>();
        if (Environment.GetEnvironmentVariable("GIT_OBJECT_DIRECTORY") is { Length: > 0 } objects) dirs.Add(objects);
        if (Environment.GetEnvironmentVariable("GIT_QUARANTINE_PATH") is { Length: > 0 } quarantine) dirs.Add(quarantine);
        if (Environment.GetEnvironmentVariable("GIT_ALTERNATE_OBJECT_DIRECTORIES") is { Length: > 0 } alternates)
            dirs.AddRange(alternates.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return dirs.Select(Path.GetFullPath).Distinct().Where(Directory.Exists).ToList();
    }

    /// <summary>Lets <paramref name="repo"/> read the objects in <paramref name="directories"/>.</summary>
    public static void Attach(Repository repo, IEnumerable<string> directories)
    {
        var own = Path.GetFullPath(Path.Combine(repo.Info.Path, "objects"));
        var extra = directories.Where(d => Path.TrimEndingDirectorySeparator(d) != Path.TrimEndingDirectorySeparator(own)).ToList();
        if (extra.Count == 0) return;
        var handle = (SafeHandle)RepositoryHandle(repo);
        if (git_repository_odb(out var odb, handle.DangerousGetHandle()) != 0)
            throw new LibGit2SharpException("cannot open the object database to read the pushed objects");
        try
        {
            foreach (var dir in extra)
                if (git_odb_add_disk_alternate(odb, dir) != 0)
                    throw new LibGit2SharpException($"cannot read the pushed objects in {dir}");
        }
        finally { git_odb_free(odb); }
    }
}
