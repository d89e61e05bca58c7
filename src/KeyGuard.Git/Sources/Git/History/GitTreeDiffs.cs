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
/// First-parent tree diffs, with each commit's parents, author, date and message, from <c>git diff-tree --stdin</c>
/// processes, in walk order (so the walk never parses a commit itself: through LibGit2Sharp that was a third of it).
/// libgit2's tree-to-tree diff expands every subtree of both sides, identical or not: 20,000 commits of a 3,000-file
/// tree took 7.6 s where git, which skips identical subtrees by id, takes about one. A writer thread feeds commit
/// ids; the walk reads each commit's section as it reaches it. If git stops or the stream goes out of step, the rest of
/// the walk diffs with libgit2, which reports a damaged tree as it always did.
/// </summary>
internal sealed class GitTreeDiffs : IDisposable
{
    /// <summary>git diff-tree keeps every commit and tree it parsed: a fresh process per this many commits keeps its
    /// memory flat on any history (20,000 commits in one process reached 120 MB; 5,000 stay near 30 MB).</summary>
    internal static int CommitsPerProcess { get; set; } = 5000;   // tests shrink it to cross process boundaries

    private readonly string _gitDir;
    private readonly IReadOnlyList<ObjectId> _commits;
    private Process _git = null!;
    private Thread _writer = null!;
    private int _segmentEnd;
    private readonly NulTokens _tokens = new(1 << 20);
    private string? _nextHeader;

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

    /// <summary>Parses already captured diff-tree output for <paramref name="commits"/>, with no process: lets tests
    /// (the fuzzer) drive the same parsing as a live walk.</summary>
    internal static GitTreeDiffs ForOutput(Stream output, IReadOnlyList<ObjectId> commits) => new(output, commits);

    private GitTreeDiffs(Stream output, IReadOnlyList<ObjectId> commits)
    {
        _gitDir = "";
        _commits = commits;
        _tokens.Reset(output);
        _segmentEnd = commits.Count;
    }

    /// <summary>One diff-tree process and the thread feeding it commits [From, End).</summary>
    private sealed record Segment(Process Git, Thread Writer, int From, int End);

    /// <summary>The next segment's process, started as soon as the current one is: its first answers are waiting in
    /// its pipe when the walk gets there (a cold start per 2,000 commits cost 0.3 s in 20,000), and a full pipe holds
    /// it back meanwhile, so at most two processes live.</summary>
    private Segment? _next;

    private void StartSegment(int from)
    {
        var segment = _next is { } ready && ready.From == from ? ready : Launch(from);
        _next = null;
        _git = segment.Git;
        _writer = segment.Writer;
        _segmentEnd = segment.End;
        _tokens.Reset(_git.StandardOutput.BaseStream);
        _nextHeader = null;
        if (_segmentEnd < _commits.Count)
        {
            try { _next = Launch(_segmentEnd); }
            catch (Exception e) when (GitHelper.StartFailed(e)) { _next = null; }   // started when reached, or fails then
        }
    }

    private Segment Launch(int from)
    {
        // A merge is diffed against its first parent only; the header fields are NUL-separated, the message last.
        var git = GitHelper.Start(_gitDir, withStdin: true,
            "diff-tree", "--stdin", "-r", "--root", "--always", "--raw", "--no-abbrev", "--no-renames", "-z",
            "--diff-merges=first-parent", "--date=raw", "--format=%H%x00%P%x00%an%x00%ae%x00%ad%x00%B");
        int end = Math.Min(_commits.Count, from + CommitsPerProcess);
        var stdin = git.StandardInput;
        var ids = Enumerable.Range(from, end - from).Select(i => _commits[i]).ToList();
        var writer = new Thread(() => Feed(ids, stdin)) { IsBackground = true, Name = "keyguard diff-tree writer" };
        writer.Start();
        return new Segment(git, writer, from, end);
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
        string? header = _nextHeader;
        if (header == null && NextToken(out var first)) header = Text(first);
        header = header?.TrimStart('\n');
        _nextHeader = null;
        // Sections come in walk order, one per commit asked for: anything else means git and the walk are out of step.
        if (header != commit.Sha) return Fail();
        var meta = ReadMeta();
        if (meta == null) return Fail();
        var changes = new List<TreeChange>();
        while (true)
        {
            if (!NextToken(out var token)) return _tokens.EndedCleanly ? (meta, changes) : Fail();
            while (token.Length > 0 && token[0] == '\n') token = token[1..];   // git starts the raw lines on a new line
            if (token.Length == 0) continue;
            if (token[0] != ':') { _nextHeader = Text(token); return (meta, changes); }
            // ":oldmode newmode oldoid newoid status", then the path
            if (!ParseRaw(token[1..], out int oldMode, out var oldOid, out int newMode, out var newOid) || !NextToken(out var path))
                return Fail();
            changes.Add(new TreeChange(Text(path), (Mode)oldMode, oldMode == 0 ? null : oldOid, (Mode)newMode, newMode == 0 ? null : newOid));
        }
    }

    private static string Text(ReadOnlySpan<byte> token) => Encoding.UTF8.GetString(token);

    private static bool ParseRaw(ReadOnlySpan<byte> raw, out int oldMode, out ObjectId? oldOid, out int newMode, out ObjectId? newOid)
    {
        oldOid = newOid = null;
        oldMode = newMode = 0;
        // "100644 100644 <40 hex> <40 hex> M": fixed widths, as git prints them with --no-abbrev and no rename scores.
        if (raw.Length < 6 + 1 + 6 + 1 + 40 + 1 + 40 + 1 + 1 || raw[6] != ' ' || raw[13] != ' ' || raw[54] != ' ' || raw[95] != ' ')
            return false;
        if (!Octal(raw[..6], out oldMode) || !Octal(raw[7..13], out newMode)) return false;
        oldOid = Oid(raw.Slice(14, 40));
        newOid = Oid(raw.Slice(55, 40));
        return oldOid != null && newOid != null;
    }

    private static bool Octal(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var d in digits)
        {
            if (d < '0' || d > '7') return false;
            value = value * 8 + (d - '0');
        }
        return true;
    }

    private static ObjectId? Oid(ReadOnlySpan<byte> hex)
    {
        var raw = new byte[20];
        for (int i = 0; i < 20; i++)
        {
            int hi = Hex(hex[2 * i]), lo = Hex(hex[2 * i + 1]);
            if ((hi | lo) < 0) return null;
            raw[i] = (byte)(hi << 4 | lo);
        }
        return new ObjectId(raw);
    }

    private static int Hex(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };

    /// <summary>"parents\0author\0email\0seconds zone\0message": what follows the commit id.</summary>
    private CommitMeta? ReadMeta()
    {
        string? parents = ReadToken(), author = ReadToken(), email = ReadToken(), date = ReadToken(), message = ReadToken();
        if (message == null) return null;
        if (date!.Split(' ') is not [var seconds, var zone] || !long.TryParse(seconds, out long unix)
            || zone.Length != 5 || !int.TryParse(zone.AsSpan(1, 2), out int hours) || !int.TryParse(zone.AsSpan(3, 2), out int minutes))
            return null;
        // Out of DateTimeOffset's range (years 1-9999, zones within 14 h) or a bad parent id: out of step, like any
        // other section this parser does not understand; libgit2 reads the rest.
        var offset = new TimeSpan(hours, minutes, 0);
        if (zone[0] == '-') offset = -offset;
        if (offset.Duration() > TimeSpan.FromHours(14) || !InRange(unix) || !InRange(unix + (long)offset.TotalSeconds)) return null;
        var ids = new List<ObjectId>();
        foreach (var p in parents!.Length == 0 ? [] : parents.Split(' '))
        {
            if (!ObjectId.TryParse(p, out var id)) return null;
            ids.Add(id);
        }
        return new CommitMeta(ids, author!, email!, DateTimeOffset.FromUnixTimeSeconds(unix).ToOffset(offset), message);
    }

    /// <summary>Seconds DateTimeOffset can hold, in UTC and in the commit's own zone.</summary>
    private static bool InRange(long unix) => unix >= MinUnixSeconds && unix <= MaxUnixSeconds;
    private static readonly long MinUnixSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds(), MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private (CommitMeta, List<TreeChange>)? Fail()
    {
        Failed = true;
        return null;
    }

    private string? ReadToken() => NextToken(out var token) ? Text(token) : null;

    private bool NextToken(out ReadOnlySpan<byte> token) => _tokens.Next(out token);

    private void StopProcess()
    {
        if (_git != null) Stop(_git, _writer);   // null only for captured output (ForOutput)
    }

    private static void Stop(Process git, Thread writer)
    {
        try
        {
            if (!git.HasExited) git.Kill();
            git.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        writer.Join();
        git.Dispose();
    }

    public void Dispose()
    {
        StopProcess();
        if (_next is { } next) Stop(next.Git, next.Writer);
        _next = null;
    }
}
