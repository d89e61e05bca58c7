using Xunit;
using KeyGuard.Sources;
using KeyGuard.Sources.Git.History;

namespace KeyGuard.Tests.Git;

/// <summary>
/// The history sweep's incremental mode, which org scans run (issue 12: one walker): the first run scans everything
/// and names what it scanned; a rerun walks only commits the earlier tips do not reach and skips objects scanned
/// before; after a rewrite it names what is still reachable. Through libgit2 alone and through git's readers.
/// </summary>
[Collection(nameof(IncrementalSweepTests))]   // GitReadersFromCommits is process-wide
public sealed class IncrementalSweepTests : IDisposable
{
    private readonly HistoryRepo _repo = new();

    public void Dispose()
    {
        HistorySweep.GitReadersFromCommits = 500;
        _repo.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reruns_scan_only_new_objects_and_a_rewrite_reports_what_is_still_reachable(bool gitReaders)
    {
        HistorySweep.GitReadersFromCommits = gitReaders ? 1 : int.MaxValue;
        var first = _repo.NewKeyId();
        var inTag = _repo.NewKeyId();
        var later = _repo.NewKeyId();
        _repo.Write("app/a.env", HistoryRepo.KeyLine(first));
        var a = _repo.Commit("add a");
        _repo.Git($"tag -a v1 -m \"notes {inTag}\"");
        _repo.Write("README.md", "clean\n");
        _repo.Commit("readme");
        var aBlob = _repo.Git("rev-parse HEAD:app/a.env").Trim();

        var (run1, sweep1) = _repo.Sweep(new HistoryOptions { Since = Memory([], []) });
        Assert.Equal(2, run1.Stats.Commits);
        Assert.Contains(run1.Findings, f => f.Secret == first && f.Path == "app/a.env" && f.Source.Commit == a && f.Source.BlobId == aBlob);
        var tag = Assert.Single(run1.Findings, f => f.Secret == inTag);
        Assert.Equal("<tag message: v1>", tag.Path);
        Assert.Equal(SourceKind.TagMessage, tag.Source.Kind);
        Assert.Equal(_repo.Git("rev-parse v1").Trim(), tag.Source.BlobId);
        Assert.Null(tag.History);   // kept per object: not folded into one finding per secret
        Assert.Contains(aBlob, sweep1.Scanned);
        Assert.Contains(tag.Source.BlobId, sweep1.Scanned);
        Assert.Equal(_repo.Head(), sweep1.Tips.Single(t => t.Key.StartsWith("refs/heads/")).Value);
        Assert.Null(sweep1.Reachable);
        Assert.Equal(gitReaders && KeyGuard.Sources.Git.GitCli.Available, sweep1.TreesDiffedByGit);

        // Nothing new: nothing walked, nothing scanned.
        var (same, sweepSame) = _repo.Sweep(new HistoryOptions { Since = Memory(sweep1.Tips.Values, sweep1.Scanned) });
        Assert.Equal(0, same.Stats.Commits);
        Assert.Equal(0, same.Stats.Blobs);
        Assert.Empty(same.Findings);
        Assert.Empty(sweepSame.Scanned);

        // One new commit: a new file and a changed one; the tag and the readme are not scanned again.
        _repo.Write("app/c.env", HistoryRepo.KeyLine(later));
        _repo.Write("app/a.env", HistoryRepo.KeyLine(first) + "region = eu-west-1\n");
        var c = _repo.Commit("more");
        var (run2, sweep2) = _repo.Sweep(new HistoryOptions { Since = Memory(sweep1.Tips.Values, sweep1.Scanned) });
        Assert.Equal(1, run2.Stats.Commits);
        Assert.Equal(2, run2.Stats.Blobs);
        Assert.Equal(2, sweep2.Scanned.Count);
        Assert.Contains(run2.Findings, f => f.Secret == later && f.Source.Commit == c);
        Assert.Contains(run2.Findings, f => f.Secret == first && f.Source.Commit == c);   // the changed file, scanned whole
        Assert.DoesNotContain(run2.Findings, f => f.Secret == inTag);
        Assert.Null(sweep2.Reachable);

        // A rewrite (the new commit dropped): what is still reachable is named, the dropped blob is not in it.
        var cBlob = _repo.Git("rev-parse HEAD:app/c.env").Trim();
        _repo.Git("reset -q --hard HEAD~1");
        var (_, sweep3) = _repo.Sweep(new HistoryOptions { Since = Memory(sweep2.Tips.Values, sweep1.Scanned.Concat(sweep2.Scanned)) });
        Assert.NotNull(sweep3.Reachable);
        Assert.Contains(aBlob, sweep3.Reachable);
        Assert.Contains(a, sweep3.Reachable);
        Assert.Contains(tag.Source.BlobId!, sweep3.Reachable);
        Assert.DoesNotContain(cBlob, sweep3.Reachable);
        Assert.DoesNotContain(c, sweep3.Reachable);
    }

    /// <summary>
    /// After a rewrite, an object of the remaining history that cannot be read makes the reachable set unknown, not
    /// smaller: an incomplete set would mark live findings resolved for good (their commits lie behind the stored tips).
    /// </summary>
    [Fact]
    public void A_rewrite_whose_remaining_history_cannot_be_read_names_nothing_reachable_and_says_why()
    {
        HistorySweep.GitReadersFromCommits = int.MaxValue;
        _repo.Write("app/a.env", HistoryRepo.KeyLine(_repo.NewKeyId()));
        var a = _repo.Commit("add a");
        var (_, sweep1) = _repo.Sweep(new HistoryOptions { Since = Memory([], []) });
        _repo.Write("README.md", "dropped later\n");
        _repo.Commit("readme");
        var (_, sweep2) = _repo.Sweep(new HistoryOptions { Since = Memory(sweep1.Tips.Values, sweep1.Scanned) });
        _repo.Git("reset -q --hard HEAD~1");
        var tree = _repo.Git($"rev-parse {a}^{{tree}}").Trim();
        var loose = Path.Combine(_repo.Dir, ".git", "objects", tree[..2], tree[2..]);
        Assert.True(File.Exists(loose), "the tree is not a loose object");
        File.SetAttributes(loose, FileAttributes.Normal);
        File.Delete(loose);

        var (run3, sweep3) = _repo.Sweep(new HistoryOptions { Since = Memory(sweep2.Tips.Values, sweep1.Scanned.Concat(sweep2.Scanned)) });

        Assert.Null(sweep3.Reachable);
        Assert.Contains(run3.Errors, e => e.Message.Contains("still reaches"));
    }

    private static SweepMemory Memory(IEnumerable<string> tips, IEnumerable<string> scanned) =>
        new(tips.ToList(), scanned.ToHashSet(StringComparer.Ordinal));
}
