using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>
/// Ctrl-C stops org-scan at once (reliability 5.2/5.3: SIGINT was ignored for 15.7 s) and a rerun resumes: the
/// repositories scanned before the signal are skipped, the rest is scanned. A clone from a loopback server that
/// accepts and never answers keeps the scan busy, as a slow remote would.
/// </summary>
public sealed class OrgInterruptTests : IDisposable
{
    private readonly GitFixture _git = new(85);
    public void Dispose() => _git.Dispose();

    [Fact]
    public async Task Sigint_stops_org_scan_promptly_and_the_rerun_resumes()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<TcpClient>();
        var accepting = Task.Run(async () => { try { while (true) held.Add(await silent.AcceptTcpClientAsync()); } catch (Exception) { } });
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        _git.CommitSecret(_git.NewRepo("first"), "k.env");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), $"first\nhttp://127.0.0.1:{port}/slow.git\n");

        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = _git.Root, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(KeyGuardProcess.DllPath);
        foreach (var a in new[] { "org-scan", "--repos", "repos.txt", "--cache", "cache", "--jobs", "1", "--no-progress" }) psi.ArgumentList.Add(a);
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        psi.Environment["GIT_HTTP_LOW_SPEED_LIMIT"] = "1";
        psi.Environment["GIT_HTTP_LOW_SPEED_TIME"] = "600";   // git would wait ten minutes on the silent server
        using var p = Process.Start(psi)!;
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        _ = p.StandardOutput.ReadToEndAsync();
        // Wait until the scan is inside the silent clone (the first repository done).
        for (int i = 0; i < 200 && !stderr.ToString().Contains("\"event\":\"done\""); i++) await Task.Delay(100);
        await Task.Delay(1000);
        Assert.False(p.HasExited, stderr.ToString());
        var sent = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString()])!) await kill.WaitForExitAsync();
        await Task.WhenAny(p.WaitForExitAsync(), Task.Delay(10_000));
        if (!p.HasExited) p.Kill(true);
        Assert.True(p.HasExited && sent.Elapsed < TimeSpan.FromSeconds(10), "SIGINT did not stop org-scan within 10 s");
        Assert.Equal(130, p.ExitCode);

        // The rerun resumes the interrupted run: the first repository is not scanned again.
        silent.Stop();
        foreach (var c in held) c.Dispose();
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "first\n");
        var rerun = _git.OrgScan("--repos", "repos.txt", "--cache", "cache", "--jobs", "1", "--no-progress");
        Assert.Contains("\"event\":\"skipped-done\"", rerun.Stderr);
        Assert.True(rerun.ExitCode is 0 or 1, rerun.Stderr);
    }
}
