using System.Diagnostics;
using System.Text.Json;
using KeyGuard.Tests.Git;
using KeyGuard.Tests.Support;
using Xunit;

namespace KeyGuard.Tests.Cli;

/// <summary>
/// Ctrl-C during a long history sweep (issue 13): the process stops within about two seconds with exit 130 and one
/// line, no stack trace, and leaves nothing half-written: the report file it was asked for does not exist, the
/// baseline it was asked to update is untouched, and a rerun sweeps the whole history cleanly.
/// </summary>
public sealed class HistoryInterruptTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Sigint_stops_a_long_history_sweep_promptly_and_a_rerun_works()
    {
        var repo = Path.Combine(_dir.Path, "repo");
        Directory.CreateDirectory(repo);
        Git(repo, "init", "-q", "-b", "main");
        FastImport.LinearHistory(repo, "main", commits: 60_000);
        var report = Path.Combine(_dir.Path, "report.json");
        var baseline = Path.Combine(_dir.Path, "baseline.json");
        const string keptBaseline = "{\"version\":1,\"entries\":[]}\n";
        File.WriteAllText(baseline, keptBaseline);

        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = _dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(KeyGuardProcess.DllPath);
        foreach (var a in new[] { "scan", "--history", repo, "-f", "json", "-o", report, "--baseline", baseline }) psi.ArgumentList.Add(a);
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        // Progress lines on the pipe tell when the sweep is under way, whatever the machine's load (a fixed wait was
        // too short on a loaded machine and too long on a quiet one, where the sweep had already ended).
        psi.Environment["KEYGUARD_PROGRESS"] = "always";
        using var p = new Process { StartInfo = psi };
        var errLines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var started = new TaskCompletionSource();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            errLines.Enqueue(e.Data);
            started.TrySetResult();
        };
        p.Start();
        p.BeginErrorReadLine();
        _ = p.StandardOutput.ReadToEndAsync();
        await Task.WhenAny(started.Task, p.WaitForExitAsync(), Task.Delay(60_000));
        await Task.Delay(300);   // well inside a 60,000-commit sweep
        Assert.False(p.HasExited, "the sweep ended before it could be interrupted: the generated history is too small");

        var sent = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString()])!) await kill.WaitForExitAsync();
        await Task.WhenAny(p.WaitForExitAsync(), Task.Delay(10_000));
        var took = sent.Elapsed;
        if (!p.HasExited) p.Kill(true);

        Assert.True(p.HasExited, "SIGINT did not stop the history sweep within 10 s");
        Assert.True(took < TimeSpan.FromSeconds(2.5), $"SIGINT took {took.TotalSeconds:0.0} s to stop the sweep");
        Assert.Equal(130, p.ExitCode);
        p.WaitForExit();   // the error stream is drained
        var err = string.Join("\n", errLines);
        Assert.Contains("interrupted", err);
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("Unhandled", err);
        Assert.False(File.Exists(report), "an interrupted sweep left a report behind");
        Assert.Equal(keptBaseline, File.ReadAllText(baseline));

        // Nothing left behind stops the next run: it sweeps the whole history and writes its report.
        var rerun = KeyGuardProcess.Run(_dir.Path, null, "scan", "--history", repo, "--no-progress", "-f", "json", "-o", report, "--baseline", baseline);
        Assert.True(rerun.ExitCode == 0, $"exit {rerun.ExitCode}: {rerun.Stderr}");
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        Assert.Equal(60_000, doc.RootElement.GetProperty("stats").GetProperty("commits").GetInt32());
        Assert.Equal(keptBaseline, File.ReadAllText(baseline));
        Assert.Empty(Directory.GetFiles(repo, "*.lock", SearchOption.AllDirectories));
    }

    private static void Git(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        using var git = Process.Start(psi)!;
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, git.StandardError.ReadToEnd());
    }
}
