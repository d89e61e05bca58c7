using KeyGuard.Sources.Git.History;
using LibGit2Sharp;

namespace KeyGuard.Tests.Git;

public sealed class NativeRevWalkTests : IDisposable
{
    private readonly HistoryRepo _repo = new();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void WalksLikeLibGit2SharpQueryBy()
    {
        // Branches forking and merging back, with equal commit times on the two sides: the order must match anyway.
        _repo.Write("a.txt", "0\n");
        _repo.Commit("root");
        for (int i = 0; i < 6; i++)
        {
            _repo.Git($"checkout -q -b side{i}");
            _repo.Write($"side{i}.txt", $"{i}\n");
            _repo.Commit($"side {i}");
            _repo.Git("checkout -q main");
            _repo.Write("a.txt", $"{i}\n");
            _repo.Commit($"main {i}");
            if (i % 2 == 0) _repo.Git($"merge -q --no-ff side{i} -m merge{i}");
        }
        using var repo = new Repository(_repo.Dir);
        var tips = repo.Branches.Select(b => b.Tip).ToList();
        var hidden = repo.Lookup<Commit>("main~3");

        foreach (var (exclude, limit) in new[] { (false, 0), (true, 0), (false, 5) })
        {
            var filter = new CommitFilter
            {
                IncludeReachableFrom = tips,
                ExcludeReachableFrom = exclude ? hidden : null,
                SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time,
            };
            var expected = repo.Commits.QueryBy(filter).Select(c => c.Id).Take(limit > 0 ? limit : int.MaxValue).ToList();
            var actual = NativeRevWalk.Walk(repo.Info.Path, tips.Select(t => t.Id), exclude ? [hidden.Id] : [], limit);
            Assert.NotNull(actual);
            Assert.Equal(expected, actual);
            // Each id must stand on its own (ObjectId keeps the array it is given): libgit2 finds exactly that commit.
            Assert.Equal(expected.Select(e => e.Sha), actual!.Select(id => Convert.ToHexStringLower(id.RawId)));
            Assert.True(expected.Count >= (limit > 0 ? limit : exclude ? 3 : 10), $"{expected.Count} commits");
        }
    }
}
