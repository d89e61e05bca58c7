using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace KeyGuard.Tests.Git;

/// <summary>`keyguard scan --history` as a real process: exit codes, JSON contract, stderr notes.</summary>
public sealed class HistoryCliTests : IDisposable
{
    private readonly HistoryRepo _repo = new();

    public void Dispose() => _repo.Dispose();

    private (int Exit, string Stdout, string Stderr) Keyguard(params string[] args) => Keyguard(null, args);

    private (int Exit, string Stdout, string Stderr) Keyguard(IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _repo.Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "keyguard.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        _repo.Isolate(psi.Environment);
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    [Fact]
    public void JsonReportCarriesTheSecretsLife()
    {
        var key = _repo.NewKeyId();
        _repo.Write("README.md", "hello\n");
        _repo.Commit("initial");
        _repo.Write("deploy/creds.env", "# deploy\n" + HistoryRepo.KeyLine(key));
        var added = _repo.Commit("add creds");
        _repo.Git("mv deploy/creds.env deploy/moved.env");
        var moved = _repo.Commit("move creds");
        _repo.Git("rm -q deploy/moved.env");
        var removed = _repo.Commit("remove creds");

        var (exit, stdout, stderr) = Keyguard("scan", "--history", _repo.Dir, "--format", "json");

        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("aws-access-key-id", finding.GetProperty("rule").GetString());
        Assert.Equal("deploy/creds.env", finding.GetProperty("path").GetString());
        Assert.Equal(2, finding.GetProperty("line").GetInt32());
        Assert.Equal(added, finding.GetProperty("commit").GetString());
        Assert.Equal("commit", finding.GetProperty("source").GetString());
        Assert.Equal(key, finding.GetProperty("keyId").GetString());
        var introduced = finding.GetProperty("introduced");
        Assert.Equal(added, introduced.GetProperty("commit").GetString());
        Assert.Equal("Tester", introduced.GetProperty("author").GetString());
        Assert.Equal("deploy/creds.env", introduced.GetProperty("path").GetString());
        Assert.Equal(2, introduced.GetProperty("line").GetInt32());
        Assert.StartsWith("2024-01-01T", introduced.GetProperty("date").GetString());
        Assert.False(finding.GetProperty("presentAtHead").GetBoolean());
        Assert.Equal(removed, finding.GetProperty("removedIn").GetString());
        Assert.Equal(2, finding.GetProperty("occurrenceCount").GetInt32());
        var occurrences = finding.GetProperty("occurrences").EnumerateArray().ToList();
        Assert.Equal([added, moved], occurrences.Select(o => o.GetProperty("commit").GetString()));
        Assert.Equal(["deploy/creds.env", "deploy/moved.env"], occurrences.Select(o => o.GetProperty("path").GetString()));
        var stats = doc.RootElement.GetProperty("stats");
        Assert.Equal(4, stats.GetProperty("commits").GetInt32());
        Assert.Equal(2, stats.GetProperty("blobs").GetInt32());   // README and the creds blob, renamed but one blob

        var text = Keyguard("scan", "--history", _repo.Dir, "--no-color");
        Assert.Contains($"{added[..12]}:deploy/creds.env:2:", text.Stdout);
        Assert.Contains($"removed in {removed[..12]}", text.Stdout);
    }

    [Fact]
    public void GitAndLibgit2ReadTheSameHistoryTheSameWay()
    {
        // Merges (one resolving a conflict with a secret), a rename, a deletion, a file replaced by a directory,
        // a large file changed in place, a symlink, a key in a commit message: both readers must agree on all of it.
        var keys = Enumerable.Range(0, 5).Select(_ => _repo.NewKeyId()).ToList();
        _repo.Write("a.txt", "one\n");
        _repo.Write("big.json", string.Concat(Enumerable.Range(0, 6000).Select(i => $"  \"k{i}\": \"value {i}\",\n")));
        _repo.Commit("initial");
        _repo.Git("checkout -q -b feature");
        _repo.Write("feature.env", HistoryRepo.KeyLine(keys[0]));
        _repo.Write("a.txt", "feature side\n");
        _repo.Commit("feature");
        _repo.Git("checkout -q main");
        _repo.Write("a.txt", "main side\n");
        _repo.Write("big.json", string.Concat(Enumerable.Range(0, 6000).Select(i => i == 4000 ? HistoryRepo.KeyLine(keys[1]) : $"  \"k{i}\": \"value {i}\",\n")));
        _repo.Commit("main");
        try { _repo.Git("merge -q feature -m merge"); } catch (InvalidOperationException) { }   // conflicts in a.txt
        _repo.Write("a.txt", "resolved\n" + HistoryRepo.KeyLine(keys[2]));
        _repo.Git("add a.txt");
        _repo.Commit("resolve");
        _repo.Git("mv feature.env renamed.env");
        _repo.Commit("rename");
        _repo.Git("rm -q renamed.env");
        _repo.Write("renamed.env/inner.env", HistoryRepo.KeyLine(keys[3]));
        _repo.Commit("file becomes a directory");
        File.CreateSymbolicLink(Path.Combine(_repo.Dir, "link"), "a.txt");
        _repo.Commit("symlink " + keys[4]);

        var viaGit = Keyguard(new Dictionary<string, string> { ["KEYGUARD_HISTORY_TIMING"] = "1" },
            "scan", "--history", _repo.Dir, "--format", "json");
        var viaLibgit2 = Keyguard(new Dictionary<string, string> { ["KEYGUARD_GIT"] = "libgit2", ["KEYGUARD_HISTORY_TIMING"] = "1" },
            "scan", "--history", _repo.Dir, "--format", "json");

        Assert.Contains("trees diffed by git diff-tree", viaGit.Stderr);
        Assert.Contains("blobs read by git cat-file (0 through libgit2)", viaGit.Stderr);
        Assert.Contains("trees diffed by libgit2", viaLibgit2.Stderr);
        Assert.Contains("blobs read by libgit2", viaLibgit2.Stderr);
        Assert.True(viaGit.Exit == 1, viaGit.Stderr);
        Assert.Equal(viaLibgit2.Exit, viaGit.Exit);
        static string Findings(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return string.Join("\n", doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetRawText()).Order());
        }
        Assert.Equal(Findings(viaLibgit2.Stdout), Findings(viaGit.Stdout));
        foreach (var key in keys) Assert.Contains(key, viaGit.Stdout);
    }

    [Fact]
    public void CleanHistoryExitsZeroAndBadOptionsExitTwo()
    {
        _repo.Write("README.md", "hello\n");
        _repo.Commit("initial");

        var clean = Keyguard("scan", "--history", _repo.Dir, "--format", "json", "--no-progress");
        Assert.True(clean.Exit == 0, clean.Stderr);
        Assert.Equal("", clean.Stderr);

        var notRepo = Keyguard("scan", "--history", _repo.Home);
        Assert.Equal(2, notRepo.Exit);
        Assert.Contains("not a git repository", notRepo.Stderr);
        Assert.DoesNotContain("   at ", notRepo.Stderr);

        var badRange = Keyguard("scan", "--range", "nope..HEAD", _repo.Dir);
        Assert.Equal(2, badRange.Exit);
        Assert.Contains("--range: 'nope'", badRange.Stderr);
    }

    [Fact]
    public void CorruptObjectExitsThreeWithFindingsInTheReport()
    {
        var key = _repo.NewKeyId();
        _repo.Write("creds.env", HistoryRepo.KeyLine(key));
        _repo.Write("victim.txt", "soon broken\n");
        _repo.Commit("both");
        var blob = _repo.Git("rev-parse HEAD:victim.txt").Trim();
        var objectFile = Path.Combine(_repo.Dir, ".git", "objects", blob[..2], blob[2..]);
        File.SetAttributes(objectFile, FileAttributes.Normal);
        File.WriteAllBytes(objectFile, [1, 2, 3, 4]);

        var (exit, stdout, stderr) = Keyguard("scan", "--history", _repo.Dir, "--format", "json");

        Assert.Equal(3, exit);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Contains("victim.txt", Assert.Single(doc.RootElement.GetProperty("errors").EnumerateArray()).GetProperty("path").GetString());
        Assert.Contains("victim.txt", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
