using System.Diagnostics;
using System.Text;
using KeyGuard.Sources.Git.Packs;
using KeyGuard.Tests.Git;
using LibGit2Sharp;

namespace KeyGuard.Tests.Fuzzing;

/// <summary>
/// Real git output to seed the git parsers, made once per test run in a temp repository: a history with adds, edits,
/// a delete, a rename, a mode change, a merge and non-ASCII names; its packs (offset deltas and, repacked again, ref
/// deltas); the deltas inside them with their bases; `git diff-tree --stdin` output exactly as GitTreeDiffs asks for
/// it; and `git diff-index -z` output for a staged rename, add, edit and delete.
/// </summary>
internal sealed class FuzzGitFixture
{
    private static readonly Lazy<FuzzGitFixture> Lazy = new(() => new FuzzGitFixture(), LazyThreadSafetyMode.ExecutionAndPublication);
    public static FuzzGitFixture Instance => Lazy.Value;

    public byte[] OfsIdx { get; }
    public byte[] OfsPack { get; }
    public byte[] RefIdx { get; }
    public byte[] RefPack { get; }
    public IReadOnlyList<byte[]> Deltas { get; }
    public IReadOnlyList<ObjectId> Commits { get; }
    public byte[] DiffTreeOutput { get; }
    public byte[] DiffIndexOutput { get; }

    private FuzzGitFixture()
    {
        using var repo = new HistoryRepo();
        var lines = Enumerable.Range(1, 120).Select(i => $"line {i:D4} of a data file that changes a little per commit").ToList();
        string Big() => string.Join('\n', lines) + "\n";
        repo.Write("models/big.txt", Big());
        repo.Write("a.txt", "alpha\n");
        repo.Write("dir/b.txt", "beta\n");
        repo.Commit("root");
        for (int i = 0; i < 4; i++)
        {
            lines[10 + 20 * i] = $"edited line {i} in the middle";
            lines.Add($"appended line {i}");
            repo.Commit2(Big);
        }
        repo.Write("c.txt", string.Join('\n', Enumerable.Range(0, 40).Select(i => $"content of c, line {i}")));
        repo.Write("naïve/ünïcode name.txt", "ü\n");
        repo.Commit("add c\n\nwith a body\nof several lines, and ünïcode");
        repo.Git("mv c.txt dir/c-renamed.txt");
        repo.Git("rm -q a.txt");
        File.SetUnixFileMode(Path.Combine(repo.Dir, "dir/b.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        repo.Git("add -A");
        repo.Git("commit -q --author=\"Zoë Ünïcode <zoe@example.com>\" -m \"rename, delete, chmod\"");
        repo.Git("checkout -q -b side");
        repo.Write("side.txt", "side\n");
        repo.Commit("side");
        repo.Git("checkout -q main");
        repo.Write("main.txt", "main\n");
        repo.Commit("main");
        repo.Git("merge -q --no-edit --no-ff side");

        // Staged changes for diff-index: a rename with an edit, an add, an edit and a delete.
        repo.Git("mv dir/c-renamed.txt moved.txt");
        File.AppendAllText(Path.Combine(repo.Dir, "moved.txt"), "\none more line");
        repo.Write("added.txt", "new\n");
        repo.Write("models/big.txt", Big() + "staged\n");
        repo.Git("rm -q main.txt");
        repo.Git("add -A");
        DiffIndexOutput = Encoding.UTF8.GetBytes(repo.Git("diff-index --cached -M --raw -z --no-abbrev --no-color --no-ext-diff HEAD --"));

        var shas = repo.Git("rev-list --topo-order HEAD").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Commits = shas.Select(s => new ObjectId(s)).ToList();
        // The same arguments as GitTreeDiffs.Launch.
        DiffTreeOutput = RunWithInput(repo, string.Concat(shas.Select(s => s + "\n")),
            "diff-tree", "--stdin", "-r", "--root", "--always", "--raw", "--no-abbrev", "--no-renames", "-z",
            "--diff-merges=first-parent", "--date=raw", "--format=%H%x00%P%x00%an%x00%ae%x00%ad%x00%B");

        var packDir = Path.Combine(repo.Dir, ".git", "objects", "pack");
        repo.Git("repack -adfq --depth=50 --window=10");
        (OfsIdx, OfsPack) = ReadPack(packDir);
        Deltas = DeltasOf(packDir);
        repo.Git("-c repack.useDeltaBaseOffset=false repack -adfq --depth=50 --window=10");
        (RefIdx, RefPack) = ReadPack(packDir);
    }

    private static (byte[] Idx, byte[] Pack) ReadPack(string packDir)
    {
        var pack = Directory.GetFiles(packDir, "*.pack").Single();
        return (File.ReadAllBytes(Path.ChangeExtension(pack, ".idx")), File.ReadAllBytes(pack));
    }

    /// <summary>Each delta of the pack with its (whole) base, framed as the pack-delta target reads them.</summary>
    private static List<byte[]> DeltasOf(string packDir)
    {
        using var pack = PackFile.Open(Directory.GetFiles(packDir, "*.pack").Single())!;
        var deltas = new List<byte[]>();
        for (int k = 0; k < pack.Index.Count && deltas.Count < 16; k++)
        {
            var e = pack.Entry(k);
            if (!e.IsDelta || e.BasePosition < 0) continue;
            var b = pack.Entry(e.BasePosition);
            if (b.IsDelta || b.Size > 0xFFFF) continue;
            var delta = new byte[e.Size];
            pack.Inflate(e, delta);
            var baseBytes = new byte[b.Size];
            pack.Inflate(b, baseBytes);
            deltas.Add(FuzzTargets.DeltaInput(baseBytes, delta));
        }
        if (deltas.Count == 0) throw new InvalidOperationException("the fixture's pack has no deltas");
        return deltas;
    }

    private static byte[] RunWithInput(HistoryRepo repo, string stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = repo.Dir, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        repo.Isolate(psi.Environment);
        using var p = Process.Start(psi)!;
        var output = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(output);
        var error = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        copy.Wait();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)}: {error.Result}");
        return output.ToArray();
    }
}
