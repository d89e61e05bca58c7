using System.Diagnostics;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Aws;

/// <summary>
/// The standalone emulator demo, run as the README says and followed to the letter (issue 16, aws-e2e review rough
/// edge 26: it printed no secret, so `--verify-live` could not be tried from it). Its printed lines are the commands.
/// </summary>
public sealed class EmulatorDemoTests
{
    static EmulatorDemoTests() => Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");

    /// <summary>The banner up to "Press Ctrl+C", from the emulator started on a free port; the process is killed after.</summary>
    private static List<string> Banner(Process emulator)
    {
        var lines = new List<string>();
        var read = Task.Run(() =>
        {
            while (emulator.StandardOutput.ReadLine() is { } line)
            {
                lines.Add(line.Trim());
                if (line.StartsWith("Press Ctrl+C", StringComparison.Ordinal)) return;
            }
        });
        Assert.True(read.Wait(TimeSpan.FromSeconds(60)), "the emulator printed its banner: " + string.Join("\n", lines));
        return lines;
    }

    private static string Export(List<string> banner, string name) =>
        banner.Single(l => l.StartsWith($"export {name}=", StringComparison.Ordinal))[$"export {name}=".Length..];

    private static string[] Command(List<string> banner, string start) =>
        banner.Single(l => l.StartsWith(start, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];

    [Fact]
    public void The_demo_prints_a_found_pair_and_its_live_check_commands_work_as_printed()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "KeyGuard.IamEmulator.dll"), "--port", "0", "--seed", "demo" }) psi.ArgumentList.Add(a);
        using var emulator = Process.Start(psi)!;
        using var dir = new TempDir();
        try
        {
            var banner = Banner(emulator);
            var env = new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = Export(banner, "AWS_ACCESS_KEY_ID"),
                ["AWS_SECRET_ACCESS_KEY"] = Export(banner, "AWS_SECRET_ACCESS_KEY"),
                ["KEYGUARD_FOUND_SECRET_ACCESS_KEY"] = Export(banner, "KEYGUARD_FOUND_SECRET_ACCESS_KEY"),
                ["AWS_CONFIG_FILE"] = "/nonexistent/keyguard-test-config",
                ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/keyguard-test-credentials",
            };

            var inspect = KeyGuardProcess.Run(dir.Path, null, env, Command(banner, "keyguard inspect --verify-live"));
            Assert.True(inspect.ExitCode == 0, inspect.Stdout + inspect.Stderr);
            Assert.Contains("live check  live: arn:aws:iam::111122223333:user/alice", inspect.Stdout);

            var printf = banner.Single(l => l.StartsWith("printf ", StringComparison.Ordinal));
            var sh = Process.Start(new ProcessStartInfo("sh", ["-c", printf]) { WorkingDirectory = dir.Path, UseShellExecute = false })!;
            sh.WaitForExit();
            Assert.Equal(0, sh.ExitCode);
            var scan = KeyGuardProcess.Run(dir.Path, null, env, Command(banner, "keyguard scan --verify-live"));
            Assert.True(scan.ExitCode == 1, scan.Stdout + scan.Stderr);
            Assert.Contains("liveCheck=live", scan.Stdout);
            Assert.Contains("liveCheck=skipped-not-ours", scan.Stdout);   // the other account's pair is not signed with
        }
        finally
        {
            emulator.Kill(entireProcessTree: true);
            emulator.WaitForExit();
        }
    }
}
