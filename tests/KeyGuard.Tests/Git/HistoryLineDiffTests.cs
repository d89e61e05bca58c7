using System.Text;
using KeyGuard.Sources.Git.History;
using Xunit;

namespace KeyGuard.Tests.Git;

/// <summary>The line diff and line mapping behind incremental blob scans.</summary>
public sealed class HistoryLineDiffTests
{
    private static LinedText Lines(IEnumerable<string> lines) => new(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));

    private static List<string> Numbered(int n) => Enumerable.Range(1, n).Select(i => $"line {i}").ToList();

    [Fact]
    public void ReplacementInsertionAndDeletionGiveUnifiedDiffHunks()
    {
        var old = Numbered(100);
        var now = Numbered(100);
        now[9] = "changed 10";                       // replace line 10
        now.InsertRange(50, ["new a", "new b"]);     // insert after old line 50
        now.RemoveAt(81);                            // delete old line 80 (now at index 81)

        var hunks = LineDiff.Compute(Lines(old), Lines(now))!;

        Assert.Equal([new Hunk(10, 1, 10, 1), new Hunk(50, 0, 51, 2), new Hunk(80, 1, 81, 0)], hunks);
    }

    [Fact]
    public void UnchangedLinesMapAcrossHunksAndChangedOnesDoNot()
    {
        var delta = BlobDelta.Create(0, [new Hunk(10, 1, 10, 1), new Hunk(50, 0, 51, 2), new Hunk(80, 1, 81, 0)]);

        Assert.Equal(5, delta.MapOldLine(5));
        Assert.Null(delta.MapOldLine(10));
        Assert.Equal(50, delta.MapOldLine(50));
        Assert.Equal(53, delta.MapOldLine(51));
        Assert.Null(delta.MapOldLine(80));
        Assert.Equal(82, delta.MapOldLine(81));
        Assert.True(delta.InZone(4));
        Assert.True(delta.InZone(16));
        Assert.False(delta.InZone(17));
        Assert.True(delta.InZone(58));
        Assert.False(delta.InZone(59));
    }

    [Fact]
    public void EveryMatchedLineIsIdenticalEvenWithRepeatedLines()
    {
        var random = new Random(3);
        var old = Enumerable.Range(0, 2000).Select(_ => $"v{random.Next(5)}").ToList();   // many repeats
        var now = old.ToList();
        for (int k = 0; k < 20; k++) now[random.Next(now.Count)] = $"edit {k}";
        now.InsertRange(700, ["x", "y", "z"]);

        var hunks = LineDiff.Compute(Lines(old), Lines(now));

        Assert.NotNull(hunks);
        var delta = BlobDelta.Create(0, hunks!);
        for (int line = 1; line <= old.Count; line++)
            if (delta.MapOldLine(line) is { } mapped)
                Assert.Equal(old[line - 1], now[mapped - 1]);
    }

    [Fact]
    public void UnrelatedContentGivesUpInsteadOfCrawling()
    {
        var old = Enumerable.Range(0, 3000).Select(i => $"a{i}");
        var now = Enumerable.Range(0, 3000).Select(i => $"b{i}");

        Assert.Null(LineDiff.Compute(Lines(old), Lines(now)));
    }

    [Fact]
    public void BlobsAreReadWithOneObjectReadOnThisLibGit2SharpVersion() => Assert.True(BlobReader.Direct);

    [Fact]
    public void PackMappingIsBoundedOnThisLibGit2SharpVersion()
    {
        Assert.True(KeyGuard.Sources.Git.LibGit2Limits.Apply());
        Assert.Equal((KeyGuard.Sources.Git.LibGit2Limits.PackWindowBytes, KeyGuard.Sources.Git.LibGit2Limits.PackMappedLimitBytes),
                     KeyGuard.Sources.Git.LibGit2Limits.Current());
    }
}
