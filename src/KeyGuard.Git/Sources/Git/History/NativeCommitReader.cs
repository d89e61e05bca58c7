using System.Runtime.InteropServices;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>What a damaged history gives for one commit: its parents and time, or why it cannot be read.</summary>
internal readonly record struct CommitLinks(IReadOnlyList<ObjectId> Parents, long Time, string? Problem)
{
    public bool Readable => Problem == null;
}

/// <summary>
/// Reads a commit's parent ids and time through libgit2 directly. LibGit2Sharp loads each parent as a commit to
/// give its id, so one missing parent throws away the child too; a sweep of a damaged history needs the ids alone
/// to go on past the hole.
/// </summary>
internal sealed class NativeCommitReader : IDisposable
{
    private const string Library = LibGit2Limits.Library;
    private const int NotFound = -3;

    [DllImport(Library)] private static extern int git_repository_open(out IntPtr repo, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);
    [DllImport(Library)] private static extern void git_repository_free(IntPtr repo);
    [DllImport(Library)] private static extern int git_commit_lookup(out IntPtr commit, IntPtr repo, ref NativeRevWalk.GitOid id);
    [DllImport(Library)] private static extern void git_commit_free(IntPtr commit);
    [DllImport(Library)] private static extern uint git_commit_parentcount(IntPtr commit);
    [DllImport(Library)] private static extern IntPtr git_commit_parent_id(IntPtr commit, uint n);
    [DllImport(Library)] private static extern long git_commit_time(IntPtr commit);
    [DllImport(Library)] private static extern IntPtr git_error_last();

    private IntPtr _repo;

    private NativeCommitReader(IntPtr repo) => _repo = repo;

    /// <summary>Null when libgit2 cannot be called or the repository not opened.</summary>
    public static NativeCommitReader? Open(string gitDir)
    {
        if (!LibGit2Limits.Apply()) return null;
        try { return git_repository_open(out var repo, gitDir) == 0 ? new NativeCommitReader(repo) : null; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
    }

    public CommitLinks Read(ObjectId id)
    {
        var oid = NativeRevWalk.ToOid(id);
        int rc = git_commit_lookup(out var commit, _repo, ref oid);
        if (rc == NotFound) return new CommitLinks([], 0, "commit missing from the object database");
        if (rc != 0) return new CommitLinks([], 0, $"cannot read the commit: {LastError()}");
        try
        {
            uint count = git_commit_parentcount(commit);
            var parents = new List<ObjectId>((int)count);
            for (uint i = 0; i < count; i++)
            {
                IntPtr p = git_commit_parent_id(commit, i);
                if (p == IntPtr.Zero) continue;
                var raw = new byte[20];
                Marshal.Copy(p, raw, 0, raw.Length);
                parents.Add(new ObjectId(raw));
            }
            return new CommitLinks(parents, git_commit_time(commit), null);
        }
        finally { git_commit_free(commit); }
    }

    private static string LastError()
    {
        // git_error { char *message; int klass; }
        IntPtr error = git_error_last();
        if (error == IntPtr.Zero) return "unknown libgit2 error";
        IntPtr message = Marshal.ReadIntPtr(error);
        return (message == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(message))?.Trim() ?? "unknown libgit2 error";
    }

    public void Dispose()
    {
        if (_repo != IntPtr.Zero) git_repository_free(_repo);
        _repo = IntPtr.Zero;
    }
}
