using System.Text.Json;
using KeyGuard.Tests.Aws;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>org-merge --verify (issue 16): the owners of the exposed keys are looked up once, after the shards are
/// merged, and the merged plans name them; without it the plans cannot say whose the key is.</summary>
public sealed class OrgMergeVerifyTests : IDisposable
{
    private readonly GitFixture _git = new(91);
    public void Dispose() => _git.Dispose();

    private JsonElement Plan(string dir, string keyId) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(_git.Root, dir, "plan.json"))).RootElement.GetProperty("plans")
            .EnumerateArray().Single(p => p.GetProperty("keyId").GetString() == keyId).Clone();

    [Fact]
    public async Task Merge_with_verify_plans_with_the_owners_from_iam()
    {
        await using var bed = new EmulatorTestBed();
        var key = bed.Keys.ActiveIdle;
        var repo = _git.NewRepo("api");
        _git.Commit(repo, ("deploy.env", $"AWS_ACCESS_KEY_ID={key.AccessKeyId}\n"));
        _git.CommitSecret(_git.NewRepo("web"), "w.env");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "api\nweb\n");
        foreach (var i in new[] { 0, 1 })
            Assert.True(_git.OrgScan("--repos", "repos.txt", "--cache", $"c{i}", "--out", $"s{i}", "--shard", $"{i}/2").ExitCode is 0 or 1);

        var offline = KeyGuardProcess.Run(_git.Root, null, "org-merge", "s0", "s1", "--out", "m1", "--plan");
        Assert.True(offline.ExitCode is 0 or 1, offline.Stderr);
        Assert.Equal("leaked-unknown", Plan("m1", key.AccessKeyId).GetProperty("kind").GetString());

        var verified = KeyGuardProcess.Run(_git.Root, null, bed.OperatorEnvironment(), "org-merge", "s0", "s1", "--out", "m2", "--verify",
            "--endpoint-url", bed.Server.Url.ToString());
        Assert.True(verified.ExitCode is 0 or 1, verified.Stderr);
        var plan = Plan("m2", key.AccessKeyId);
        Assert.Equal("leaked-active", plan.GetProperty("kind").GetString());
        Assert.Equal(key.User.UserName, plan.GetProperty("userName").GetString());
        Assert.Single(bed.Server.Log.Of("GetAccessKeyLastUsed"), e => e.Parameter("AccessKeyId") == key.AccessKeyId);
    }
}
