using System.Diagnostics;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Cli;

/// <summary>
/// Setup warnings quote the scanned repository's own git config (a git-secrets pattern that is not a valid regex):
/// `scan` printed them raw, so a hostile repository could write terminal escape sequences to whoever scans it.
/// `scan`, `scan --history` and `plan` print them escaped alike.
/// </summary>
public sealed class SetupWarningOutputTests
{
    [Fact]
    public void A_hostile_pattern_in_the_repositorys_config_is_warned_about_escaped()
    {
        using var dir = new TempDir();
        Git(dir.Path, "init", "-q");
        Git(dir.Path, "config", "secrets.patterns", "(\u001b]0;owned\u0007\u001b[31m");
        dir.Write("notes.txt", "nothing here\n");

        foreach (var args in new[] { new[] { "scan", "." }, ["scan", "--history", "."], ["plan", "--offline", "."] })
        {
            var r = KeyGuardProcess.Run(dir.Path, null, args);
            Assert.Contains("skipped pattern", r.Stderr);
            Assert.DoesNotContain('\u001b', r.Stderr);
            Assert.DoesNotContain('\u0007', r.Stderr);
        }
    }

    private static void Git(string cwd, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
