using System.Diagnostics;
using System.Text;

namespace KeyGuard.Sources.Git;

/// <summary>An object as git stores it: its full id (40 or 64 hex digits), type and content.</summary>
internal sealed record RawGitObject(string Id, string Type, byte[] Content);

/// <summary>
/// Reads objects through one <c>git cat-file --batch-command</c> process, by any name git understands (an id, or
/// <c>commit:path</c>). Works on every object format git does, SHA-256 included, where libgit2 cannot open the
/// repository at all. Missing objects are null; a git that stops answering is an <see cref="IOException"/>.
/// </summary>
internal sealed class GitObjectReader : IDisposable
{
    private readonly Process _git;
    private readonly Stream _stdin, _stdout;

    /// <param name="gitDir">The repository's git dir, or null to let git find it from <paramref name="workingDirectory"/>
    /// (and from GIT_DIR / GIT_OBJECT_DIRECTORY, as a hook's git sets them).</param>
    public GitObjectReader(string? gitDir, string? workingDirectory = null)
    {
        var args = new List<string>();
        if (gitDir != null) args.AddRange(["--git-dir", gitDir]);
        args.AddRange(["cat-file", "--batch-command"]);
        var psi = SafeGit.StartInfo(workingDirectory, args, redirectStdin: true);
        _git = Process.Start(psi) ?? throw new IOException("git did not start");
        _git.ErrorDataReceived += (_, _) => { };
        _git.BeginErrorReadLine();
        _stdin = _git.StandardInput.BaseStream;
        _stdout = new BufferedStream(_git.StandardOutput.BaseStream, 1 << 16);
    }

    /// <summary>The object's content, or null when git has no such object.</summary>
    public RawGitObject? Read(string name) => Ask("contents", name, withContent: true);

    /// <summary>The object's id and type without its content, or null when git has no such object.</summary>
    public RawGitObject? Info(string name) => Ask("info", name, withContent: false);

    private RawGitObject? Ask(string command, string name, bool withContent)
    {
        // Names travel one per line: one holding a line break cannot be asked for, so it is not there.
        if (name.Contains('\n') || name.Contains('\r')) return null;
        var request = Encoding.UTF8.GetBytes($"{command} {name}\n");
        _stdin.Write(request);
        _stdin.Flush();
        var header = ReadLine() ?? throw new IOException($"git cat-file stopped while reading {name}");
        // "<id> <type> <size>", or "<name> missing" / "<name> ambiguous"
        var parts = header.Split(' ');
        if (parts.Length != 3 || !long.TryParse(parts[2], out long size)) return null;
        if (!withContent) return new RawGitObject(parts[0], parts[1], []);
        if (size > Array.MaxLength) throw new IOException($"object {parts[0]} is too large to read ({size} bytes)");
        var content = new byte[size];
        _stdout.ReadExactly(content);
        if (_stdout.ReadByte() != '\n') throw new IOException($"git cat-file answered out of step after {parts[0]}");
        return new RawGitObject(parts[0], parts[1], content);
    }

    private string? ReadLine()
    {
        var line = new List<byte>(128);
        while (true)
        {
            int b = _stdout.ReadByte();
            if (b < 0) return null;
            if (b == '\n') return Encoding.UTF8.GetString(line.ToArray());
            line.Add((byte)b);
        }
    }

    public void Dispose()
    {
        try { _stdin.Dispose(); } catch (IOException) { }
        try
        {
            if (!_git.WaitForExit(2000)) _git.Kill();
        }
        catch (InvalidOperationException) { }
        _git.Dispose();
    }
}
