using System.Diagnostics;
using System.Text;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>One path a commit changed against its first parent (a side that does not exist has mode 0).</summary>
internal readonly record struct TreeChange(string Path, Mode OldMode, ObjectId? OldOid, Mode NewMode, ObjectId? NewOid)
{
    public bool OldExists => OldMode != 0;
    public bool NewExists => NewMode != 0;

    public static TreeChange From(TreeEntryChanges c) =>
        new(c.Path, c.OldExists ? c.OldMode : 0, c.OldExists ? c.OldOid : null, c.Exists ? c.Mode : 0, c.Exists ? c.Oid : null);
}

/// <summary>A commit as git describes it: parents, author, date, message.</summary>
internal sealed record CommitMeta(IReadOnlyList<ObjectId> Parents, string Author, string Email, DateTimeOffset Date, string Message);

/// <summary>
/// First-parent tree diffs, with each commit's parents, author, date and message, from one <c>git diff-tree --stdin</c>
/// process, in walk order (so the walk never parses a commit itself: through LibGit2Sharp that was a third of it). libgit2's tree-to-tree
/// diff expands every subtree of both sides, identical or not: 20,000 commits of a 3,000-file tree took 7.6 s where
/// git, which skips identical subtrees by id, takes about one. A writer thread feeds "commit first-parent" lines;
/// the walk reads each commit's section as it reaches it. If git stops or the stream goes out of step, the rest of
/// the walk diffs with libgit2, which reports a damaged tree as it always did.
/// </summary>
internal sealed class GitTreeDiffs : IDisposable
{
    /// <summary>git diff-tree keeps every commit and tree it parsed: a fresh process per this many commits keeps its
    /// memory flat on any history (20,000 commits in one process reached 120 MB).</summary>
    internal static int CommitsPerProcess { get; set; } = 2000;   // tests shrink it to cross process boundaries

    private readonly string _gitDir;
    private readonly IReadOnlyList<ObjectId> _commits;
    private Process _git = null!;
    private Stream _stdout = null!;
    private Thread _writer = null!;
    private int _segmentEnd;
    private readonly List<byte> _token = new(256);
    private string? _nextHeader;
    private bool _ended;

    public static GitTreeDiffs? TryStart(string gitDir, IReadOnlyList<ObjectId> commits)
    {
        if (!GitHelper.Available) return null;
        try { return new GitTreeDiffs(gitDir, commits); }
        catch (Exception e) when (GitHelper.StartFailed(e)) { return null; }
    }

    private GitTreeDiffs(string gitDir, IReadOnlyList<ObjectId> commits)
    {
        _gitDir = gitDir;
        _commits = commits;
        StartSegment(0);
    }

    private void StartSegment(int from)
    {
        // A merge is diffed against its first parent only; the header fields are NUL-separated, the message last.
        _git = GitHelper.Start(_gitDir, withStdin: true,
            "diff-tree", "--stdin", "-r", "--root", "--always", "--raw", "--no-abbrev", "--no-renames", "-z",
            "--diff-merges=first-parent", "--date=raw", "--format=%H%x00%P%x00%an%x00%ae%x00%ad%x00%B");
        _stdout = new BufferedStream(_git.StandardOutput.BaseStream, 1 << 20);
        _segmentEnd = Math.Min(_commits.Count, from + CommitsPerProcess);
        var stdin = _git.StandardInput;
        var segment = Enumerable.Range(from, _segmentEnd - from).Select(i => _commits[i]).ToList();
        _writer = new Thread(() => Feed(segment, stdin)) { IsBackground = true, Name = "keyguard diff-tree writer" };
        _writer.Start();
        _nextHeader = null;
        _ended = false;
    }

    /// <summary>git could not diff some commit; the walk diffs it and every later one with libgit2.</summary>
    public bool Failed { get; private set; }

    private static void Feed(IReadOnlyList<ObjectId> commits, StreamWriter stdin)
    {
        try
        {
            foreach (var id in commits)
            {
                stdin.Write(id.Sha);
                stdin.Write('\n');
            }
        }
        catch (IOException) { }
        finally
        {
            try { stdin.Dispose(); } catch (IOException) { }
        }
    }

    /// <summary>The commit <paramref name="commit"/> (the walk's number <paramref name="k"/>, walked in order) and its
    /// changes, or null when git cannot say.</summary>
    public (CommitMeta Meta, List<TreeChange> Changes)? Next(ObjectId commit, int k)
    {
        if (Failed) return null;
        if (k >= _segmentEnd)
        {
            StopProcess();
            try { StartSegment(k); }
            catch (Exception e) when (GitHelper.StartFailed(e)) { return Fail(); }
        }
        var header = (_nextHeader ?? ReadToken())?.TrimStart('\n');
        _nextHeader = null;
        // Sections come in walk order, one per commit asked for: anything else means git and the walk are out of step.
        if (header != commit.Sha) return Fail();
        var meta = ReadMeta();
        if (meta == null) return Fail();
        var changes = new List<TreeChange>();
        while (true)
        {
            var token = ReadToken();
            if (token == null) return _ended ? (meta, changes) : Fail();
            token = token.TrimStart('\n');   // git starts the raw lines on a new line
            if (token.Length == 0) continue;
            if (token[0] != ':') { _nextHeader = token; return (meta, changes); }
            // ":oldmode newmode oldoid newoid status", then the path
            var parts = token[1..].Split(' ');
            var path = ReadToken();
            if (parts.Length != 5 || path == null) return Fail();
            int oldMode = Convert.ToInt32(parts[0], 8), newMode = Convert.ToInt32(parts[1], 8);
            changes.Add(new TreeChange(path, (Mode)oldMode, oldMode == 0 ? null : new ObjectId(parts[2]),
                                       (Mode)newMode, newMode == 0 ? null : new ObjectId(parts[3])));
        }
    }

    /// <summary>"parents\0author\0email\0seconds zone\0message": what follows the commit id.</summary>
    private CommitMeta? ReadMeta()
    {
        string? parents = ReadToken(), author = ReadToken(), email = ReadToken(), date = ReadToken(), message = ReadToken();
        if (message == null || date!.Split(' ') is not [var seconds, var zone] || !long.TryParse(seconds, out long unix)
            || zone.Length != 5 || !int.TryParse(zone.AsSpan(1, 2), out int hours) || !int.TryParse(zone.AsSpan(3, 2), out int minutes))
            return null;
        var offset = new TimeSpan(hours, minutes, 0);
        if (zone[0] == '-') offset = -offset;
        var ids = parents!.Length == 0 ? [] : parents.Split(' ').Select(p => new ObjectId(p)).ToList();
        return new CommitMeta(ids, author!, email!, DateTimeOffset.FromUnixTimeSeconds(unix).ToOffset(offset), message);
    }

    private (CommitMeta, List<TreeChange>)? Fail()
    {
        Failed = true;
        return null;
    }

    /// <summary>The next NUL-terminated token; null at the end of the stream (a clean end only after a NUL).</summary>
    private string? ReadToken()
    {
        _token.Clear();
        while (true)
        {
            int b;
            try { b = _stdout.ReadByte(); }
            catch (IOException) { return null; }
            if (b < 0) { _ended = _token.Count == 0; return null; }
            if (b == 0) return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_token));
            _token.Add((byte)b);
        }
    }

    private void StopProcess()
    {
        try
        {
            if (!_git.HasExited) _git.Kill();
            _git.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        _writer.Join();
        _git.Dispose();
    }

    public void Dispose() => StopProcess();
}
