using System.Runtime.InteropServices;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// libgit2's revision walk called directly, yielding ids only: the same walk and order LibGit2Sharp's
/// <c>QueryBy</c> gives, without building a <see cref="Commit"/> object (a commit lookup and parse) for each of them,
/// which on 20,000 commits was most of the selection's half second. Null when the native calls fail: the caller then
/// uses LibGit2Sharp.
/// </summary>
internal static class NativeRevWalk
{
    private const string Library = LibGit2Limits.Library;
    private const int IterationOver = -31;
    private const uint SortTopological = 1, SortTime = 2;   // GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME, as CommitSortStrategies

    [System.Runtime.CompilerServices.InlineArray(20)]
    internal struct GitOid
    {
        private byte _first;
    }

    [DllImport(Library)] private static extern int git_repository_open(out IntPtr repo, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);
    [DllImport(Library)] private static extern void git_repository_free(IntPtr repo);
    [DllImport(Library)] private static extern int git_revwalk_new(out IntPtr walk, IntPtr repo);
    [DllImport(Library)] private static extern void git_revwalk_free(IntPtr walk);
    [DllImport(Library)] private static extern int git_revwalk_sorting(IntPtr walk, uint mode);
    [DllImport(Library)] private static extern int git_revwalk_push(IntPtr walk, ref GitOid id);
    [DllImport(Library)] private static extern int git_revwalk_hide(IntPtr walk, ref GitOid id);
    [DllImport(Library)] private static extern int git_revwalk_next(out GitOid id, IntPtr walk);

    /// <summary>Commits reachable from <paramref name="include"/> and not from <paramref name="exclude"/>, newest
    /// first, topologically then by time; at most <paramref name="limit"/> (0: all).</summary>
    public static List<ObjectId>? Walk(string gitDir, IEnumerable<ObjectId> include, IEnumerable<ObjectId> exclude, int limit)
    {
        if (!LibGit2Limits.Apply()) return null;   // also makes sure LibGit2Sharp initialised libgit2
        IntPtr repo = IntPtr.Zero, walk = IntPtr.Zero;
        try
        {
            if (git_repository_open(out repo, gitDir) != 0 || git_revwalk_new(out walk, repo) != 0) return null;
            if (git_revwalk_sorting(walk, SortTopological | SortTime) != 0) return null;
            foreach (var id in include)
            {
                var oid = ToOid(id);
                if (git_revwalk_push(walk, ref oid) != 0) return null;
            }
            foreach (var id in exclude)
            {
                var oid = ToOid(id);
                if (git_revwalk_hide(walk, ref oid) != 0) return null;
            }
            var ids = new List<ObjectId>();
            while (limit <= 0 || ids.Count < limit)
            {
                int rc = git_revwalk_next(out var oid, walk);
                if (rc == IterationOver) break;
                if (rc != 0) return null;
                // A fresh array each time: ObjectId keeps the one it is given.
                ids.Add(new ObjectId(((ReadOnlySpan<byte>)oid).ToArray()));
            }
            return ids;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
        finally
        {
            if (walk != IntPtr.Zero) git_revwalk_free(walk);
            if (repo != IntPtr.Zero) git_repository_free(repo);
        }
    }

    internal static GitOid ToOid(ObjectId id)
    {
        var oid = new GitOid();
        id.RawId.AsSpan().CopyTo(oid);
        return oid;
    }
}
