using System.Text.Json;

namespace KeyGuard.Tests.Org;

/// <summary>
/// Incremental org-scan `done` events (issue 16, aws-e2e review rough edge 31): an unchanged rerun reads no blob, but
/// the repository still exposes its keys, so "findings" is the repository's exposed count and "new" what this run found.
/// </summary>
public sealed class OrgDoneEventTests : IDisposable
{
    private readonly GitFixture _git = new(131);
    public void Dispose() => _git.Dispose();

    private static JsonElement Done(string stderr, string repoSuffix) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Single(e => e.GetProperty("event").GetString() == "done" && e.GetProperty("repo").GetString()!.EndsWith(repoSuffix, StringComparison.Ordinal));

    [Fact]
    public void Done_counts_the_repositorys_exposed_findings_on_every_run_and_the_new_ones_apart()
    {
        var api = _git.NewRepo("api");
        _git.CommitSecretPair(api, "config/.env");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "api\n");

        var first = _git.OrgScan("--repos", "repos.txt", "--cache", "cache", "--out", "out1", "--no-progress");
        Assert.True(first.ExitCode == 1, first.Stderr);
        var done1 = Done(first.Stderr, "/api");
        int exposed = GitFixture.Findings(GitFixture.Summary(Path.Combine(_git.Root, "out1"))).Count(f => f.Status is "new" or "open");
        Assert.Equal(2, exposed);   // the key ID and its secret
        Assert.Equal(exposed, done1.GetProperty("findings").GetInt32());
        Assert.Equal(exposed, done1.GetProperty("new").GetInt32());

        var rerun = _git.OrgScan("--repos", "repos.txt", "--cache", "cache", "--out", "out2", "--no-progress");
        Assert.True(rerun.ExitCode == 1, rerun.Stderr);
        var done2 = Done(rerun.Stderr, "/api");
        Assert.Equal(0, done2.GetProperty("blobs").GetInt32());
        Assert.Equal(exposed, done2.GetProperty("findings").GetInt32());   // was 0: only this run's findings were counted
        Assert.Equal(0, done2.GetProperty("new").GetInt32());

        _git.CommitSecretPair(api, "config/second.env");
        var third = _git.OrgScan("--repos", "repos.txt", "--cache", "cache", "--no-progress");
        var done3 = Done(third.Stderr, "/api");
        Assert.Equal(exposed + 2, done3.GetProperty("findings").GetInt32());
        Assert.Equal(2, done3.GetProperty("new").GetInt32());
    }
}
