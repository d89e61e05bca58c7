using System.Diagnostics;
using Xunit;

namespace KeyGuard.Tests.Git;

/// <summary>A history sweep's progress line, read from stderr with KEYGUARD_PROGRESS=always (stderr is a pipe here).</summary>
public sealed class HistoryProgressTests : IDisposable
{
    private readonly HistoryRepo _repo = new();

    public void Dispose() => _repo.Dispose();

    private (int Exit, string Stderr) Keyguard(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _repo.Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "keyguard.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        _repo.Isolate(psi.Environment);
        psi.Environment["KEYGUARD_PROGRESS"] = "always";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        _ = stdout.Result;
        return (p.ExitCode, stderr);
    }

    [Fact]
    public void Progress_starts_before_any_blob_is_scanned_and_counts_the_pack_pass()
    {
        // 5 blobs of 340,000 bytes: 1.6 MB read once, which the last line rounds to 2 MB (3 MB if placing the pack
        // pass's blobs counted their bytes again).
        for (int i = 0; i < 5; i++)
        {
            _repo.Write($"src/file{i}.txt", string.Concat(Enumerable.Range(0, 20_000).Select(n => $"line {i} {n,9}\n")));
            _repo.Commit($"commit {i}");
        }
        // Packed, as a clone is: the pack pass scans the blobs while the walk runs.
        _repo.Git("gc -q");

        var (exit, stderr) = Keyguard("scan", "--history", _repo.Dir, "--format", "json");

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var lines = stderr.Split('\n').Where(l => l.StartsWith("history: ", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count >= 2, stderr);
        // The first line is drawn as the sweep starts: commits are being selected, no blob is placed or read yet.
        Assert.StartsWith("history: selecting commits, packs (", lines[0]);
        Assert.DoesNotContain("/5 commits", lines[0]);
        Assert.DoesNotContain("blobs placed", lines[0]);
        // The last one counts what the pack pass did, by its phase: all 5 blobs, none left to git's reader.
        Assert.Contains("5/5 commits", lines[^1]);
        Assert.Contains("packs (done): 5/5 blobs", lines[^1]);
        Assert.Contains("5/5 blobs placed", lines[^1]);
        Assert.Contains(", 2 MB, ", lines[^1]);
        Assert.DoesNotContain('\r', stderr);
    }

    [Fact]
    public void No_progress_on_a_pipe_unless_forced_and_never_with_no_progress()
    {
        _repo.Write("a.txt", "a\n");
        _repo.Commit("a");
        var (_, forcedOff) = Keyguard("scan", "--history", _repo.Dir, "--no-progress");
        Assert.DoesNotContain("history: ", forcedOff);
    }
}
