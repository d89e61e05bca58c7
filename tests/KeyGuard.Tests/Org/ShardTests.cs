using KeyGuard.Org;

namespace KeyGuard.Tests.Org;

public sealed class ShardTests
{
    private static List<RepoSpec> Repos(int count) =>
        Enumerable.Range(0, count).Select(i => RepoSpec.Parse($"https://git.example.com/org/service-{i}.git", "/")).ToList();

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(5)] [InlineData(16)]
    public void Every_repository_falls_in_exactly_one_shard(int n)
    {
        var repos = Repos(200);
        foreach (var repo in repos)
            Assert.Single(Enumerable.Range(0, n), i => new ShardSpec(i, n).Contains(repo));
        if (n > 1) Assert.All(Enumerable.Range(0, n), i => Assert.Contains(repos, new ShardSpec(i, n).Contains));
    }

    [Fact]
    public void Assignment_depends_on_identity_not_list_order_or_spelling()
    {
        var shard = new ShardSpec(1, 4);
        var a = RepoSpec.Parse("https://user:token@GIT.example.com/org/api.git/", "/");
        var b = RepoSpec.Parse("git@git.example.com:org/api", "/");
        Assert.Equal("git.example.com/org/api", a.Identity);
        Assert.Equal(a.Identity, b.Identity);
        Assert.Equal(shard.Contains(a), shard.Contains(b));
        Assert.DoesNotContain("token", a.SafeLocation);
        var forward = Repos(50).Where(shard.Contains).Select(r => r.Identity);
        var backward = Enumerable.Reverse(Repos(50)).Where(shard.Contains).Select(r => r.Identity).Reverse();
        Assert.Equal(forward, backward);
    }

    [Theory]
    [InlineData("1")] [InlineData("2/2")] [InlineData("-1/2")] [InlineData("a/b")] [InlineData("0/0")]
    public void Bad_shard_is_a_usage_error(string text) => Assert.Throws<InvalidInputException>(() => ShardSpec.Parse(text));
}
