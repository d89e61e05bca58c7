using System.Diagnostics;
using System.Text;

namespace KeyGuard.Sources.Git.Staged;

/// <summary>
/// A repository the hooks read through git because libgit2 cannot open it (SHA-256 object format): staged changes
/// from <c>git diff --cached</c>, a commit's changes from <c>git diff-tree</c>, commit lists from <c>git rev-list</c>,
/// objects from <c>git cat-file</c>, all run in the hook's directory with the hook's environment (GIT_DIR,
/// GIT_INDEX_FILE, the quarantine's GIT_OBJECT_DIRECTORY), so git reads what the hook is about, as libgit2 does.
/// </summary>
internal sealed class GitCliRepository : IDisposable
{
    public string WorkingDirectory { get; }
    public string GitDir { get; }
    /// <summary>The work tree's root; null in a bare repository (a server).</summary>
    public string? WorkTree { get; }
    private GitObjectReader? _objects;

    private GitCliRepository(string workingDirectory, string gitDir, string? workTree)
    {
        WorkingDirectory = workingDirectory;
        GitDir = gitDir;
        WorkTree = workTree;
    }

    /// <summary>The repository around <paramref name="directory"/> when it is one only git can read (SHA-256); else null.</summary>
    public static GitCliRepository? TryOpenSha256(string directory)
    {
        if (Run(directory, "rev-parse", "--absolute-git-dir") is not { } gitDir) return null;
        gitDir = gitDir.TrimEnd('\n');
        if (!ObjectFormat.IsSha256(gitDir)) return null;
        var bare = Run(directory, "rev-parse", "--is-bare-repository")?.Trim() == "true";
        var workTree = bare ? null : Run(directory, "rev-parse", "--show-toplevel")?.TrimEnd('\n');
        return new GitCliRepository(directory, gitDir, string.IsNullOrEmpty(workTree) ? null : workTree);
    }

    private GitObjectReader Objects => _objects ??= new GitObjectReader(null, WorkingDirectory);

    public RawGitObject? ReadObject(string name) => Objects.Read(name);

    public byte[]? ReadBlob(string id) => Objects.Read(id) is { Type: "blob" } blob ? blob.Content : null;

    /// <summary>A config value as git resolves it, or null when unset.</summary>
    public string? Config(string key) => Run(WorkingDirectory, "config", "--get", key)?.TrimEnd('\n');

    /// <summary>Commit ids <c>git rev-list</c> gives for <paramref name="args"/>, oldest first (parents before children).</summary>
    public List<string> RevList(params string[] args)
    {
        var output = Run(WorkingDirectory, ["rev-list", "--topo-order", "--reverse", .. args])
                     ?? throw new IOException($"git rev-list {string.Join(' ', args)} failed");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>The staged changes (the index against HEAD, or against nothing before the first commit).</summary>
    public List<ChangedFile> Staged(bool wholeFiles)
    {
        var raw = Run(WorkingDirectory, "diff", "--cached", "-M", "--raw", "-z", "--no-abbrev", "--no-color", "--no-ext-diff", "--no-textconv", "--")
                  ?? throw new IOException("git diff --cached failed");
        return Collect(GitCliDiffIndex.Parse(raw) ?? throw new IOException("git diff --cached: unexpected output"), wholeFiles);
    }

    /// <summary>What <paramref name="commit"/> adds, as <see cref="GitChanges.OfCommit"/>: against its parent, or for a
    /// merge the lines new against every parent.</summary>
    public List<ChangedFile> OfCommit(string commit, IReadOnlyList<string> parents)
    {
        if (parents.Count == 0) return Collect(DiffTree("--root", commit), wholeFiles: false);
        List<ChangedFile>? common = null;
        foreach (var parent in parents)
        {
            var against = Collect(DiffTree(parent, commit), wholeFiles: false).ToDictionary(f => f.Path, StringComparer.Ordinal);
            common = common == null ? against.Values.ToList() : GitChanges.Intersect(common, against);
        }
        return common!;
    }

    private List<RawChange> DiffTree(params string[] trees)
    {
        var raw = Run(WorkingDirectory, ["diff-tree", "-r", "-M", "--raw", "-z", "--no-abbrev", "--no-commit-id", "--no-color", "--no-ext-diff", "--no-textconv", .. trees, "--"])
                  ?? throw new IOException($"git diff-tree {string.Join(' ', trees)} failed");
        return GitCliDiffIndex.Parse(raw) ?? throw new IOException("git diff-tree: unexpected output");
    }

    private const string SubmoduleMode = "160000";

    private List<ChangedFile> Collect(List<RawChange> changes, bool wholeFiles)
    {
        var files = new List<ChangedFile>();
        foreach (var c in changes)
        {
            // Deleted and unmerged entries have nothing to commit yet; submodules are commits, not files.
            if (c.Status is 'D' or 'U' or 'X' || c.NewMode == SubmoduleMode) continue;
            bool isNew = c.Status == 'A' || c.OldMode is SubmoduleMode or "000000";
            IReadOnlySet<int>? added = wholeFiles || isNew ? null
                : c.OldSha == c.NewSha ? new HashSet<int>()
                : AddedLines(c.OldSha, c.NewSha);
            if (added is { Count: 0 }) continue;
            files.Add(new ChangedFile(c.Path, LibGit2Sharp.ObjectId.Zero, added) { OldPath = c.OldPath, BlobHex = c.NewSha });
        }
        return files;
    }

    private IReadOnlySet<int>? AddedLines(string oldBlob, string newBlob)
    {
        var older = Lines(oldBlob);
        var newer = Lines(newBlob);
        return older == null || newer == null ? null : LineDiff.Added(older, newer);
    }

    /// <summary>The blob's lines as the scanner numbers them; null when missing or too big to diff.</summary>
    private string[]? Lines(string id)
    {
        var bytes = ReadBlob(id);
        return bytes == null || bytes.Length > GitChanges.MaxDiffBytes ? null : BlobText.Decode(bytes).Split('\n');
    }

    private static string? Run(string directory, params string[] args)
    {
        var psi = SafeGit.StartInfo(directory, args);
        psi.StandardOutputEncoding = Encoding.UTF8;
        try
        {
            using var git = Process.Start(psi);
            if (git == null) return null;
            var errors = git.StandardError.ReadToEndAsync();
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            _ = errors.Result;
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }

    public void Dispose() => _objects?.Dispose();
}
