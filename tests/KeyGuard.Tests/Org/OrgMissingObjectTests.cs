using System.Text.Json;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>
/// org-scan with a missing blob (ux review S15): the blob is an error of its own, the repository's findings are
/// reported (outcome "partial", exit 3), as scan --history does.
/// </summary>
public sealed class OrgMissingObjectTests : IDisposable
{
    private readonly GitFixture _git = new(77);
    private string At(string name) => Path.Combine(_git.Root, name);

    public void Dispose() => _git.Dispose();

    [Fact]
    public void A_missing_blob_is_an_error_of_that_blob_and_the_repository_findings_are_reported()
    {
        var repo = _git.NewRepo("svc");
        var key = _git.CommitSecret(repo, "deploy/k.env");
        _git.Commit(repo, ("docs/notes.txt", "nothing secret here\n"));
        var blob = _git.Git(repo, "rev-parse", "HEAD:docs/notes.txt");
        File.Delete(Path.Combine(repo, ".git", "objects", blob[..2], blob[2..]));
        File.WriteAllText(At("repos.txt"), "svc\n");

        var run = _git.OrgScan("--repos", "repos.txt", "--out", "out", "--no-progress");

        Assert.True(run.ExitCode == 3, run.Stderr);
        var summary = GitFixture.Summary(At("out"));
        var entry = summary.GetProperty("repositories").EnumerateArray().Single();
        Assert.Equal("partial", entry.GetProperty("outcome").GetString());
        // Named as scan --history names it: commit:path, then the blob.
        Assert.Matches($"[0-9a-f]{{12}}:docs/notes.txt: blob {blob}: ", entry.GetProperty("error").GetString());
        Assert.Contains(GitFixture.Findings(summary), f => f.KeyId == key);
        var events = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "partial" && e.GetProperty("findings").GetInt64() == 2);
        // The per-repository report carries both the findings and the error, as scan --history's report does.
        var report = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(At("out/repos"), "svc-*.json").Single())).RootElement;
        Assert.Contains(report.GetProperty("findings").EnumerateArray(), f => f.GetProperty("keyId").GetString() == key);
        Assert.Contains(blob, report.GetProperty("errors").ToString());

        // The blob comes back (e.g. a completed fetch): the next run retries it and the repository is whole again.
        _git.Git(repo, "hash-object", "-w", "docs/notes.txt");
        var again = _git.OrgScan("--repos", "repos.txt", "--out", "out2", "--no-progress");
        Assert.True(again.ExitCode == 1, again.Stderr);
        Assert.Equal("ok", GitFixture.Summary(At("out2")).GetProperty("repositories").EnumerateArray().Single().GetProperty("outcome").GetString());
        Assert.Equal(1, GitFixture.Blobs(GitFixture.Summary(At("out2")))); // only the blob that was missing
    }
}
