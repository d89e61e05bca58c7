namespace KeyGuard.Tests.Org;

/// <summary>One identity per repository however it is named (aws-e2e review: a path and a file:// URL of the same
/// repository were scanned twice): a path, its .git folder and its file:// URL are one repository, read in place.</summary>
public sealed class OrgIdentityTests : IDisposable
{
    private readonly GitFixture _git = new(89);
    public void Dispose() => _git.Dispose();

    [Fact]
    public void A_path_its_git_folder_and_its_file_url_are_one_repository()
    {
        var api = _git.NewRepo("api");
        _git.CommitSecret(api, "k.env");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), $"file://{api}\napi\napi/.git\nfile://{api}/\n");

        var run = _git.OrgScan("--repos", "repos.txt", "--cache", "cache", "--out", "out");

        Assert.True(run.ExitCode == 1, run.Stderr);
        var summary = GitFixture.Summary(Path.Combine(_git.Root, "out"));
        Assert.Equal(1, summary.GetProperty("totals").GetProperty("repositories").GetInt32());
        Assert.All(GitFixture.Findings(summary), f => Assert.Equal(api, f.Repo));
        Assert.False(Directory.Exists(Path.Combine(_git.Root, "cache")) && Directory.EnumerateDirectories(Path.Combine(_git.Root, "cache")).Any(),
            "named as a path too, the repository is read in place, not cloned");
    }
}
