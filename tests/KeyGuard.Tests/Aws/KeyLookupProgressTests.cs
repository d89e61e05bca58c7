using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Aws;

/// <summary>
/// `scan --verify` says on stderr how far its IAM lookups are (aws-e2e rough edge 20: 2,000 keys were silent; against
/// real IAM that is minutes): on a terminal, or everywhere with --progress; never into a pipe otherwise, never with
/// --no-progress.
/// </summary>
public sealed class KeyLookupProgressTests
{
    [Fact]
    public async Task Scan_verify_counts_its_key_lookups_when_forced_and_is_silent_in_a_pipe_otherwise()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var ids = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            var user = bed.OurAccount.AddUser($"svc-{i}");
            ids.Add(user.AddKey().AccessKeyId);
        }
        dir.Write("app/keys.env", string.Concat(ids.Select((id, i) => $"AWS_ACCESS_KEY_ID_{i}={id}\n")));
        string[] scan = ["scan", "app", "--verify", "--endpoint-url", bed.Server.Url.ToString(), "-f", "json"];

        var forced = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), [.. scan, "--progress"]);

        Assert.True(forced.ExitCode == 1, forced.Stderr);   // findings
        var lines = forced.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("looking up keys")).ToList();
        Assert.Equal("keyguard: looking up keys in IAM: 1 of 12", lines[0]);
        Assert.Equal("keyguard: looking up keys in IAM: 12 of 12", lines[^1]);
        Assert.DoesNotContain('\r', forced.Stderr);
        Assert.All(ids, id => Assert.Contains(id, forced.Stdout));

        var piped = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), scan);
        Assert.True(piped.ExitCode == 1, piped.Stderr);
        Assert.DoesNotContain("looking up keys", piped.Stderr);

        var off = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), [.. scan, "--progress", "--no-progress"]);
        Assert.DoesNotContain("looking up keys", off.Stderr);
    }
}
