using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace KeyGuard.Tests.Git;

/// <summary>
/// A history sweep of a damaged repository never says "clean": every ref, commit or pack it cannot read is an error
/// in the report and the exit code (3), and the rest of the history is still swept. Each case damages a real
/// repository the way the reliability review did, and runs the CLI under all three readers.
/// </summary>
public sealed class DamagedHistoryTests : IDisposable
{
    private readonly HistoryRepo _repo = new();

    public void Dispose() => _repo.Dispose();

    public static TheoryData<string> Readers => new() { "default", "git-reader", "libgit2" };

    private static Dictionary<string, string> ReaderEnv(string reader) => reader switch
    {
        "git-reader" => new() { ["KEYGUARD_PACK_READER"] = "0" },
        "libgit2" => new() { ["KEYGUARD_GIT"] = "libgit2" },
        _ => new(),
    };

    private (int Exit, JsonElement Report, string Stderr) Sweep(string reader)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _repo.Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "keyguard.dll"));
        foreach (var a in new[] { "scan", "--history", _repo.Dir, "-f", "json", "--no-progress" }) psi.ArgumentList.Add(a);
        _repo.Isolate(psi.Environment);
        foreach (var (k, v) in ReaderEnv(reader)) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.DoesNotContain("   at ", stderr);
        using var doc = JsonDocument.Parse(stdout.Result);
        return (p.ExitCode, doc.RootElement.Clone(), stderr);
    }

    private static List<string> Errors(JsonElement report) =>
        report.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString() + ": " + e.GetProperty("message").GetString()).ToList();

    private static List<string> KeyIds(JsonElement report) =>
        report.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("rule").GetString() == "aws-access-key-id")
            .Select(f => f.GetProperty("keyId").GetString()!).ToList();

    private string CommitKeyPair(string path, string message)
    {
        var key = _repo.NewKeyId();
        _repo.Write(path, HistoryRepo.KeyLine(key) + $"aws_secret_access_key = {_repo.NewSecret()}\n");
        _repo.Commit(message);
        return key;
    }

    private string PackFile()
    {
        _repo.Git("repack -adq");
        _repo.Git("prune-packed");
        var pack = Directory.GetFiles(Path.Combine(_repo.Dir, ".git", "objects", "pack"), "*.pack").Single();
        File.SetAttributes(pack, FileAttributes.Normal);
        return pack;
    }

    private void DeleteLooseObject(string sha)
    {
        var file = Path.Combine(_repo.Dir, ".git", "objects", sha[..2], sha[2..]);
        File.SetAttributes(file, FileAttributes.Normal);
        File.Delete(file);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void PackShortByOneByteIsNeverClean(string reader)
    {
        CommitKeyPair("c.env", "key");
        _repo.Write("other.txt", "x\n");
        _repo.Commit("two");
        var pack = PackFile();
        Assert.Single(KeyIds(Sweep(reader).Report));   // the sweep finds the key while the pack is whole
        using (var f = File.OpenWrite(pack)) f.SetLength(f.Length - 1);

        var (exit, report, stderr) = Sweep(reader);

        Assert.Equal(3, exit);
        Assert.Contains(Errors(report), e => e.StartsWith("refs/heads/main: ") && e.Contains("missing from the object database"));
        Assert.Contains("refs/heads/main", stderr);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void DamagedPackHeaderIsNeverClean(string reader)
    {
        CommitKeyPair("c.env", "key");
        var pack = PackFile();
        var bytes = File.ReadAllBytes(pack);
        bytes[5] ^= 0xff;   // the pack's version number
        File.WriteAllBytes(pack, bytes);

        var (exit, report, _) = Sweep(reader);

        Assert.Equal(3, exit);
        Assert.NotEmpty(Errors(report));
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void MissingTipCommitIsAnErrorAndItsAncestorsAreStillSwept(string reader)
    {
        var key = CommitKeyPair("c.env", "key");
        _repo.Write("other.txt", "x\n");
        var tip = _repo.Commit("tip");
        DeleteLooseObject(tip);

        var (exit, report, stderr) = Sweep(reader);

        Assert.Equal(3, exit);
        Assert.Contains(Errors(report), e => e.StartsWith("refs/heads/main: ") && e.Contains(tip[..12]));
        Assert.Equal([key], KeyIds(report));
        Assert.Contains("damaged", stderr);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void MissingMiddleCommitIsAnErrorAndBothSidesAreSwept(string reader)
    {
        var oldKey = CommitKeyPair("old.env", "old key");
        _repo.Write("b.txt", "b\n");
        var middle = _repo.Commit("middle");
        var newKey = CommitKeyPair("new.env", "new key");
        DeleteLooseObject(middle);

        var (exit, report, _) = Sweep(reader);

        Assert.Equal(3, exit);
        Assert.Contains(Errors(report), e => e.StartsWith(middle) && e.Contains("missing from the object database"));
        Assert.Equal(new[] { newKey, oldKey }.Order(), KeyIds(report).Order());
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void CorruptCommitObjectIsAnErrorAndTheSweepGoesOn(string reader)
    {
        var oldKey = CommitKeyPair("old.env", "old key");
        _repo.Write("b.txt", "b\n");
        var middle = _repo.Commit("middle");
        var newKey = CommitKeyPair("new.env", "new key");
        var file = Path.Combine(_repo.Dir, ".git", "objects", middle[..2], middle[2..]);
        File.SetAttributes(file, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(file, bytes);

        var (exit, report, _) = Sweep(reader);

        Assert.Equal(3, exit);
        Assert.Contains(Errors(report), e => e.StartsWith(middle));
        Assert.Contains(newKey, KeyIds(report));
        Assert.Contains(oldKey, KeyIds(report));
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void BrokenRefsAreErrorsNextToTheGoodOnes(string reader)
    {
        var key = CommitKeyPair("c.env", "key");
        var refs = Path.Combine(_repo.Dir, ".git", "refs", "heads");
        File.WriteAllText(Path.Combine(refs, "to-nowhere"), new string('1', 40) + "\n");
        File.WriteAllText(Path.Combine(refs, "garbage"), "garbage\n");
        File.WriteAllText(Path.Combine(_repo.Dir, ".git", "packed-refs"), "# pack-refs with: peeled fully-peeled sorted\nnot-a-sha refs/heads/packed-garbage\n");

        var (exit, report, _) = Sweep(reader);

        Assert.Equal(3, exit);
        var errors = Errors(report);
        Assert.Contains(errors, e => e.StartsWith("refs/heads/to-nowhere: ") && e.Contains("111111111111"));
        Assert.Contains(errors, e => e.StartsWith("refs/heads/garbage: "));
        Assert.Contains(errors, e => e.StartsWith("packed-refs:2: "));
        Assert.Equal([key], KeyIds(report));
    }
}
