using System.Text.Json;
using KeyGuard.Tests.Aws;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>Off a terminal, org-scan's stderr is a JSON-lines event stream and nothing else: per-key lookup errors
/// of --verify and rotation marks are events too, so `jq` can read the stream (aws-e2e review: 767 plain lines).</summary>
public sealed class OrgEventStreamTests : IDisposable
{
    private readonly GitFixture _git = new(83);
    public void Dispose() => _git.Dispose();

    private static List<JsonElement> Events(string stderr)
    {
        var events = new List<JsonElement>();
        foreach (var line in stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try { events.Add(JsonDocument.Parse(line).RootElement.Clone()); }
            catch (JsonException) { Assert.Fail($"not a JSON line on stderr: {line}"); }
        }
        return events;
    }

    [Fact]
    public async Task Verify_errors_and_rotation_marks_are_json_events()
    {
        await using var bed = new EmulatorTestBed();
        var (keyId, _) = _git.CommitSecretPair(_git.NewRepo("api"), "config/.env");   // a key IAM does not know
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "api\n");
        bed.Server.Faults.Inject("GetAccessKeyInfo", KeyGuard.IamEmulator.FaultKind.AccessDenied);   // each key's lookup fails

        var run = _git.OrgScan(bed.OperatorEnvironment(), "--repos", "repos.txt", "--cache", "cache", "--no-progress",
            "--verify", "--endpoint-url", bed.Server.Url.ToString());
        Assert.True(run.ExitCode is 1 or 4, run.Stderr);
        var events = Events(run.Stderr);
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "run-finished");
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "verify-error" && e.GetProperty("repo").GetString() == keyId);

        var mark = _git.OrgScan("--repos", "repos.txt", "--cache", "cache", "--no-progress", "--mark-rotated", keyId);
        Assert.Contains(Events(mark.Stderr), e => e.GetProperty("event").GetString() == "marked-rotated");
    }

    /// <summary>org-merge off a terminal: a missing shard, a damaged shard, a mark that matches nothing and --verify's
    /// per-key errors are JSON events too (issue 16: org-merge --verify printed plain text into the stream).</summary>
    [Fact]
    public async Task Org_merge_stderr_is_json_events_only()
    {
        await using var bed = new EmulatorTestBed();
        var (keyId, _) = _git.CommitSecretPair(_git.NewRepo("api"), "config/.env");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "api\n");
        Assert.True(_git.OrgScan("--repos", "repos.txt", "--cache", "c0", "--out", "s0", "--no-progress").ExitCode is 0 or 1);
        Directory.CreateDirectory(Path.Combine(_git.Root, "damaged"));
        File.WriteAllText(Path.Combine(_git.Root, "damaged", "state.db"), "not a database");
        bed.Server.Faults.Inject("GetAccessKeyInfo", KeyGuard.IamEmulator.FaultKind.AccessDenied);

        var merge = KeyGuardProcess.Run(_git.Root, null, bed.OperatorEnvironment(), "org-merge", "s0", "missing", "damaged", "--out", "merged",
            "--mark-rotated", "no-such-fingerprint", "--verify", "--endpoint-url", bed.Server.Url.ToString());

        Assert.Equal(3, merge.ExitCode);
        var events = Events(merge.Stderr);
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "shard-missing" && e.GetProperty("repo").GetString() == "missing");
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "shard-damaged");
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "mark-not-found");
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "verify-error" && e.GetProperty("repo").GetString() == keyId);
    }
}
