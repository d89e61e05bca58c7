using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>org-scan --dir with relative paths (reliability B8, case 5.10): each child is joined with the folder once.</summary>
public sealed class OrgRelativeDirTests : IDisposable
{
    private readonly GitFixture _git = new(58);

    public void Dispose() => _git.Dispose();

    [Theory]
    [InlineData("orgrel", "repos")]
    [InlineData("orgrel", "./repos")]
    [InlineData("orgrel", "repos/")]
    [InlineData("", "orgrel/repos")]
    [InlineData("orgrel/repos", ".")]
    public void A_relative_dir_finds_every_repository_at_its_real_path(string workDir, string dirArgument)
    {
        var reposDir = Path.Combine(_git.Root, "orgrel", "repos");
        Directory.CreateDirectory(reposDir);
        var r1 = _git.NewRepo(Path.Combine("orgrel", "repos", "r1"));
        var key = _git.CommitSecret(r1, "k.env");
        _git.NewRepo(Path.Combine("orgrel", "repos", "r2"));
        var cwd = Path.Combine(_git.Root, workDir);
        var outDir = Path.Combine(_git.Root, "out");

        var run = KeyGuardProcess.Run(cwd, null, "org-scan", "--dir", dirArgument, "--state", Path.Combine(_git.Root, "state.db"), "--out", outDir, "--no-progress");

        Assert.True(run.ExitCode == 1, run.Stderr);
        var summary = GitFixture.Summary(outDir);
        var repos = summary.GetProperty("repositories").EnumerateArray().ToList();
        Assert.Equal([Path.Combine(reposDir, "r1"), Path.Combine(reposDir, "r2")], repos.Select(x => x.GetProperty("repo").GetString()).Order(StringComparer.Ordinal));
        Assert.All(repos, x => Assert.Equal("ok", x.GetProperty("outcome").GetString()));
        Assert.Contains(GitFixture.Findings(summary), f => f.KeyId == key);
    }
}
