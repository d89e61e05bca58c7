using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>
/// Rotation marks survive merges (aws-e2e review: --mark-rotated could not be used with shards and the next merge
/// wiped it): a mark made on a shard or on the merged state is kept in the state and re-applied whenever the merge is
/// rebuilt from its shards.
/// </summary>
public sealed class RotationMarksTests : IDisposable
{
    private readonly GitFixture _git = new(87);
    public void Dispose() => _git.Dispose();

    private string Out(string name) => Path.Combine(_git.Root, name);

    private KeyGuardProcess.Result Merge(params string[] extra) =>
        KeyGuardProcess.Run(_git.Root, null, ["org-merge", "s0", "s1", "--out", "merged", .. extra]);

    private List<string> StatusesOf(string keyId) =>
        GitFixture.Findings(GitFixture.Summary(Out("merged"))).Where(f => f.KeyId == keyId).Select(f => f.Status).Distinct().ToList();

    [Fact]
    public void Marks_made_on_the_merge_or_on_a_shard_are_kept_by_every_later_merge()
    {
        var api = _git.CommitSecret(_git.NewRepo("api"), "a.env");
        var web = _git.CommitSecret(_git.NewRepo("web"), "w.env");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "api\nweb\n");
        foreach (var i in new[] { 0, 1 })
            Assert.True(_git.OrgScan("--repos", "repos.txt", "--cache", $"c{i}", "--out", $"s{i}", "--shard", $"{i}/2").ExitCode is 0 or 1);

        var marked = Merge("--mark-rotated", api);
        Assert.True(marked.ExitCode is 0 or 1, marked.Stderr);
        Assert.Equal(["rotated"], StatusesOf(api));

        var rebuilt = Merge();   // rebuilt from the shards, which know nothing of the mark
        Assert.True(rebuilt.ExitCode is 0 or 1, rebuilt.Stderr);
        Assert.Equal(["rotated"], StatusesOf(api));
        Assert.DoesNotContain("rotated", StatusesOf(web));

        // A mark made on whichever shard holds web's repository reaches the merge too.
        string shardOfWeb = GitFixture.Summary(Out("s0")).ToString().Contains(web) ? "s0" : "s1";
        var onShard = _git.OrgScan("--state", Path.Combine(Out(shardOfWeb), "state.db"), "--mark-rotated", web, "--out", shardOfWeb);
        Assert.True(onShard.ExitCode is 0 or 1, onShard.Stderr);
        Assert.True(Merge().ExitCode is 0 or 1);
        Assert.Equal(["rotated"], StatusesOf(web));
        Assert.Equal(["rotated"], StatusesOf(api));
    }
}
