namespace KeyGuard.Tests.Org;

/// <summary>--findings-exit-code: schedulers that treat any non-zero exit as a failed Job can run org scans with 0 on
/// findings, while errors (a repository that could not be scanned) still exit 3.</summary>
public sealed class FindingsExitCodeTests : IDisposable
{
    private readonly GitFixture _git = new(81);
    public void Dispose() => _git.Dispose();

    [Fact]
    public void Findings_exit_with_the_chosen_code_and_errors_still_exit_3()
    {
        _git.CommitSecret(_git.NewRepo("api"), "deploy.env");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "api\n");
        Assert.Equal(1, _git.OrgScan("--repos", "repos.txt", "--cache", "c1", "--out", "o1").ExitCode);
        var zero = _git.OrgScan("--repos", "repos.txt", "--cache", "c2", "--out", "o2", "--findings-exit-code", "0");
        Assert.True(zero.ExitCode == 0, zero.Stderr);

        var merged = KeyGuard.Tests.Support.KeyGuardProcess.Run(_git.Root, null, "org-merge", "o2", "--out", "m", "--findings-exit-code", "0");
        Assert.True(merged.ExitCode == 0, merged.Stderr);

        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "api\nno-such-repo\n");
        var failed = _git.OrgScan("--repos", "repos.txt", "--cache", "c3", "--out", "o3", "--findings-exit-code", "0");
        Assert.Equal(3, failed.ExitCode);

        var bad = _git.OrgScan("--repos", "repos.txt", "--cache", "c4", "--findings-exit-code", "300");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--findings-exit-code", bad.Stderr);
    }
}
