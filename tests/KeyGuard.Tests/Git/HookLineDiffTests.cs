using KeyGuard.Sources.Git.Staged;
using Xunit;

namespace KeyGuard.Tests.Git;

/// <summary>The added-line diff the hooks use: checked against a plain LCS on random edits.</summary>
public sealed class HookLineDiffTests
{
    [Fact]
    public void SimpleEdits()
    {
        Assert.Equal([2], LineDiff.Added(["a", "c"], ["a", "b", "c"]));
        Assert.Empty(LineDiff.Added(["a", "b", "c"], ["a", "c"]));
        Assert.Equal([1, 2], LineDiff.Added([], ["x", "y"]));
        Assert.Equal([2], LineDiff.Added(["a", "b", "c"], ["a", "B", "c"]));
        Assert.Empty(LineDiff.Added(["a", "b"], ["a", "b"]));
    }

    [Fact]
    public void AddedCountMatchesLongestCommonSubsequence_OnRandomEdits()
    {
        var random = new Random(7);
        for (int round = 0; round < 300; round++)
        {
            var older = Enumerable.Range(0, random.Next(0, 40)).Select(_ => ((char)('a' + random.Next(5))).ToString()).ToList();
            var newer = new List<string>(older);
            for (int e = random.Next(0, 8); e > 0; e--)
            {
                if (newer.Count > 0 && random.Next(2) == 0) newer.RemoveAt(random.Next(newer.Count));
                else newer.Insert(random.Next(newer.Count + 1), ((char)('a' + random.Next(6))).ToString());
            }
            var added = LineDiff.Added(older, newer);
            Assert.Equal(newer.Count - Lcs(older, newer), added.Count);
            // What is left once the added lines are removed must be a subsequence of the old version.
            var kept = newer.Where((_, i) => !added.Contains(i + 1)).ToList();
            Assert.True(IsSubsequence(kept, older), $"round {round}");
        }
    }

    private static int Lcs(List<string> a, List<string> b)
    {
        var t = new int[a.Count + 1, b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
            for (int j = 1; j <= b.Count; j++)
                t[i, j] = a[i - 1] == b[j - 1] ? t[i - 1, j - 1] + 1 : Math.Max(t[i - 1, j], t[i, j - 1]);
        return t[a.Count, b.Count];
    }

    private static bool IsSubsequence(List<string> sub, List<string> of)
    {
        int i = 0;
        foreach (var s in of) if (i < sub.Count && sub[i] == s) i++;
        return i == sub.Count;
    }
}

/// <summary>Parsing <c>git diff-index --raw -z</c>, which the pre-commit check reads its file list from.</summary>
public sealed class HookDiffIndexParseTests
{
    [Fact]
    public void ParsesModifiedAddedAndRenamedEntries()
    {
        string a = new('a', 40), b = new('b', 40), z = new('0', 40);
        var raw = $":100644 100644 {a} {b} M\0src/x.txt\0:000000 100644 {z} {b} A\0new file.txt\0:100644 100644 {a} {b} R087\0old/y.cfg\0new/y.cfg\0";
        var changes = KeyGuard.Sources.Git.Staged.GitCliDiffIndex.Parse(raw)!;
        Assert.Equal(3, changes.Count);
        Assert.Equal(('M', "src/x.txt"), (changes[0].Status, changes[0].Path));
        Assert.Equal(('A', "new file.txt", "000000"), (changes[1].Status, changes[1].Path, changes[1].OldMode));
        Assert.Equal(('R', "old/y.cfg", "new/y.cfg"), (changes[2].Status, changes[2].OldPath, changes[2].Path));
        Assert.Empty(KeyGuard.Sources.Git.Staged.GitCliDiffIndex.Parse("")!);
        Assert.Null(KeyGuard.Sources.Git.Staged.GitCliDiffIndex.Parse("garbage\0"));
    }
}
