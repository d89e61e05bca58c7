using KeyGuard.Tests.Support;
using Microsoft.Data.Sqlite;

namespace KeyGuard.Tests.Org;

/// <summary>org-merge with damaged shards (reliability B17, case 5.8): each is named in one line, the good ones merged.</summary>
public sealed class OrgMergeDamagedShardTests : IDisposable
{
    private readonly GitFixture _git = new(77);
    private string At(string name) => Path.Combine(_git.Root, name);

    public void Dispose() => _git.Dispose();

    /// <summary>An org-scan of one repository with a secret into OUT (which then holds state.db).</summary>
    private string ScanIntoShard(string repoName, string outDir)
    {
        var key = _git.CommitSecret(_git.NewRepo(repoName), "k.env");
        File.WriteAllText(At(repoName + ".txt"), repoName + "\n");
        var run = _git.OrgScan("--repos", repoName + ".txt", "--state", repoName + ".db", "--out", outDir, "--no-progress");
        Assert.True(run.ExitCode == 1, run.Stderr);
        return key;
    }

    [Fact]
    public void Org_merge_names_each_damaged_shard_and_merges_the_good_ones()
    {
        var keyA = ScanIntoShard("a", "shard-a");
        var keyB = ScanIntoShard("b", "shard-b");
        var good = File.ReadAllBytes(At("shard-a/state.db"));
        // The review's three shards: truncated to half, empty, and some other SQLite database.
        Directory.CreateDirectory(At("truncated"));
        File.WriteAllBytes(At("truncated/state.db"), good[..(good.Length / 2)]);
        Directory.CreateDirectory(At("empty"));
        File.WriteAllBytes(At("empty/state.db"), []);
        Directory.CreateDirectory(At("foreign"));
        using (var db = new SqliteConnection($"Data Source={At("foreign/state.db")};Pooling=False"))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = "CREATE TABLE other(x INTEGER); INSERT INTO other VALUES (1);";
            c.ExecuteNonQuery();
        }

        var run = KeyGuardProcess.Run(_git.Root, null, "org-merge", "shard-a", "truncated", "empty", "foreign", "shard-b", "--out", "merged");

        Assert.True(run.ExitCode == 3, run.Stderr);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 3, run.Stderr);
        // Off a terminal stderr is JSON-lines events, one per damaged shard.
        foreach (var (bad, line) in new[] { "truncated", "empty", "foreign" }.Zip(lines))
        {
            var e = System.Text.Json.JsonDocument.Parse(line).RootElement;
            Assert.Equal("shard-damaged", e.GetProperty("event").GetString());
            Assert.StartsWith($"org-merge: {bad}/state.db: ", e.GetProperty("error").GetString());
            Assert.Contains("not a", e.GetProperty("error").GetString());
        }
        Assert.DoesNotContain("Exception", run.Stderr);
        var summary = GitFixture.Summary(At("merged"));
        Assert.Equal(["a", "b"], summary.GetProperty("repositories").EnumerateArray().Select(r => Path.GetFileName(r.GetProperty("repo").GetString()!)).Order());
        var keys = GitFixture.Findings(summary).Select(f => f.KeyId).ToHashSet();
        Assert.Contains(keyA, keys);
        Assert.Contains(keyB, keys);
        Assert.Contains("2 repositories from 2 shards", run.Stdout);
    }
}
