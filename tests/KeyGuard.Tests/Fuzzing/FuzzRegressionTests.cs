using System.Buffers.Binary;
using System.Text;
using KeyGuard.Compliance;
using KeyGuard.Sources.Git.History;
using KeyGuard.Sources.Git.Packs;
using LibGit2Sharp;

namespace KeyGuard.Tests.Fuzzing;

/// <summary>Inputs the fuzzer found that crashed a parser, reduced by hand; each now parses or fails cleanly.</summary>
public sealed class FuzzRegressionTests : IDisposable
{
    private readonly Support.TempDir _dir = new();

    // ---- password policy: GetInt32 threw FormatException on numbers that are not 32-bit integers ----

    [Theory]
    [InlineData("""{"PasswordPolicy":{"MinimumPasswordLength":1e10}}""", "MinimumPasswordLength 1e10")]
    [InlineData("""{"MinimumPasswordLength":14,"MaxPasswordAge":1.5}""", "MaxPasswordAge 1.5")]
    [InlineData("""{"MinimumPasswordLength":14,"PasswordReusePrevention":-2147483649}""", "PasswordReusePrevention -2147483649")]
    public void Password_policy_number_that_is_not_a_whole_int_is_a_usage_error(string json, string named)
    {
        var e = Assert.Throws<UsageException>(() => PasswordPolicyJson.Parse(json, "policy.json"));
        Assert.Contains("policy.json", e.Message);
        Assert.Contains(named + " is not a whole number", e.Message);
    }

    // ---- git diff-tree output: ReadMeta threw on a bad parent id, a date out of range or a zone past 14 hours ----

    private static readonly ObjectId Commit = new("1111111111111111111111111111111111111111");

    private static byte[] DiffTreeSection(string parents, string date) =>
        Encoding.UTF8.GetBytes($"{Commit.Sha}\0{parents}\0Tester\0tester@example.com\0{date}\0message\n\0");

    [Theory]
    [InlineData("2222222222222222222222222222222222222222 b00ab0c866689be3776bf418d69c3c5c87d")]   // the fuzzer's: a cut parent id
    [InlineData("not-hex-not-hex-not-hex-not-hex-not-hex-")]
    public void Diff_tree_bad_parent_id_is_out_of_step_not_a_crash(string parents)
    {
        using var diffs = GitTreeDiffs.ForOutput(new MemoryStream(DiffTreeSection(parents, "1700000000 +0000")), [Commit]);
        Assert.Null(diffs.Next(Commit, 0));
        Assert.True(diffs.Failed);   // the walk goes on with libgit2
    }

    [Theory]
    [InlineData("99999999999999 +0000")]
    [InlineData("-99999999999999 +0000")]
    [InlineData("1700000000 +9900")]
    [InlineData("1700000000 -1500")]
    [InlineData("253402300799 +1400")]   // the last second DateTimeOffset holds in UTC, but not 14 hours east of it
    public void Diff_tree_date_out_of_range_is_out_of_step_not_a_crash(string date)
    {
        using var diffs = GitTreeDiffs.ForOutput(new MemoryStream(DiffTreeSection("", date)), [Commit]);
        Assert.Null(diffs.Next(Commit, 0));
        Assert.True(diffs.Failed);
    }

    [Fact]
    public void Diff_tree_valid_section_still_parses()
    {
        var parent = new ObjectId("2222222222222222222222222222222222222222");
        using var diffs = GitTreeDiffs.ForOutput(new MemoryStream(DiffTreeSection(parent.Sha, "1700000000 -0130")), [Commit]);
        var (meta, changes) = diffs.Next(Commit, 0)!.Value;
        Assert.Equal([parent], meta.Parents);
        Assert.Equal(new DateTimeOffset(2023, 11, 14, 22, 13, 20, TimeSpan.Zero), meta.Date);
        Assert.Equal(TimeSpan.FromMinutes(-90), meta.Date.Offset);
        Assert.Empty(changes);
    }

    public void Dispose() => _dir.Dispose();
}
