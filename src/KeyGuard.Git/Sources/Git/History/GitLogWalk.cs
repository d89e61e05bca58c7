using System.Diagnostics;
using System.Text;

namespace KeyGuard.Sources.Git.History;

/// <summary>One commit of <see cref="GitLogWalk"/>: full ids (40 or 64 hex digits), author, message and first-parent changes.</summary>
internal sealed record LoggedCommit(string Id, IReadOnlyList<string> Parents, string Author, string Email, DateTimeOffset Date, string Message,
    List<LoggedChange> Changes);

/// <summary>One path a commit changed against its first parent; a side that does not exist has mode 0 and no id.</summary>
internal readonly record struct LoggedChange(string Path, int OldMode, string? OldId, int NewMode, string? NewId);

/// <summary>
/// The commits of a revision selection, oldest first (parents before children), each with its first-parent tree diff,
/// from one <c>git log</c> process: the walk for repositories libgit2 cannot open (SHA-256), in the same order and
/// with the same merge rule (a merge is diffed against its first parent) as the libgit2 walk. Streamed: only the
/// current commit is held.
/// </summary>
internal sealed class GitLogWalk : IDisposable
{
    private readonly Process _git;
    private readonly StringBuilder _stderr = new();
    private readonly NulTokens _tokens = new(1 << 16);
    private string? _nextHeader;

    /// <param name="revisions">git revision arguments (<c>--all</c>, <c>A..B</c>, <c>^X</c>); given after
    /// <c>--end-of-options</c>, so a name cannot turn into an option.</param>
    public GitLogWalk(string gitDir, IReadOnlyList<string> selection, IReadOnlyList<string> revisions)
    {
        string[] args =
        [
            "--git-dir", gitDir, "log", "--topo-order", "--reverse", "-z", "--raw", "-r", "--no-abbrev", "--no-renames",
            "--diff-merges=first-parent", "--no-color", "--no-ext-diff", "--no-textconv", "--no-mailmap", "--encoding=UTF-8",
            "--date=raw", "--format=%H%x00%P%x00%an%x00%ae%x00%ad%x00%B", .. selection, "--end-of-options", .. revisions, "--",
        ];
        var psi = SafeGit.StartInfo(null, args);
        _git = Process.Start(psi) ?? throw new IOException("git did not start");
        _git.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _git.BeginErrorReadLine();
        _tokens.Reset(_git.StandardOutput.BaseStream);
    }

    /// <summary>git's first error line once the walk has ended, or null when git finished cleanly.</summary>
    public string? Failure()
    {
        _git.WaitForExit();
        if (_git.ExitCode == 0) return null;
        lock (_stderr)
        {
            var first = _stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            return first ?? $"git log exited with code {_git.ExitCode}";
        }
    }

    /// <summary>The next commit, or null at the end (or where the output stops making sense: <see cref="OutOfStep"/>).</summary>
    public LoggedCommit? Next()
    {
        var id = _nextHeader ?? (NextToken(out var first) ? Text(first).TrimStart('\n') : null);
        _nextHeader = null;
        if (id == null) return null;
        if (!IsHex(id)) return Stop();
        string? parents = ReadToken(), author = ReadToken(), email = ReadToken(), date = ReadToken(), message = ReadToken();
        if (message == null) return Stop();
        var when = date!.Split(' ') is [var seconds, var zone] ? GitObjectText.Date(seconds, zone) : null;
        var parentIds = parents!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!parentIds.All(IsHex)) return Stop();
        var commit = new LoggedCommit(id, parentIds, author!, email!, when ?? DateTimeOffset.UnixEpoch, message, []);
        while (NextToken(out var token))
        {
            var text = Text(token).TrimStart('\n');
            if (text.Length == 0) continue;
            if (text[0] != ':') { _nextHeader = text; break; }
            // ":oldmode newmode oldid newid status", then the path
            var f = text[1..].Split(' ');
            if (f.Length != 5 || !IsHex(f[2]) || !IsHex(f[3]) || !NextToken(out var path)) return Stop();
            int oldMode = Octal(f[0]), newMode = Octal(f[1]);
            if (oldMode < 0 || newMode < 0) return Stop();
            commit.Changes.Add(new LoggedChange(Text(path), oldMode, oldMode == 0 ? null : f[2], newMode, newMode == 0 ? null : f[3]));
        }
        return commit;
    }

    /// <summary>The output held something this reader does not understand: the walk ended there.</summary>
    public bool OutOfStep { get; private set; }

    private LoggedCommit? Stop()
    {
        OutOfStep = true;
        return null;
    }

    private static bool IsHex(string s) => s.Length is 40 or 64 && s.All(char.IsAsciiHexDigitLower);

    private static int Octal(string digits)
    {
        int value = 0;
        foreach (var d in digits)
        {
            if (d is < '0' or > '7') return -1;
            value = value * 8 + (d - '0');
        }
        return digits.Length == 6 ? value : -1;
    }

    private static string Text(ReadOnlySpan<byte> token) => Encoding.UTF8.GetString(token);

    private string? ReadToken() => NextToken(out var token) ? Text(token) : null;

    private bool NextToken(out ReadOnlySpan<byte> token) => _tokens.Next(out token);

    public void Dispose()
    {
        try
        {
            if (!_git.HasExited) _git.Kill();
            _git.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        _git.Dispose();
    }
}
