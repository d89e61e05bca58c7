using System.Diagnostics;
using System.Text.Json;
using KeyGuard.Planning;
using KeyGuard.Tests.Git;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Remediation;

/// <summary>
/// `plan` dates a working-tree leak by the oldest commit that holds the file (reliability B6, case 3.27: LibGit2Sharp's
/// FileHistory threw KeyNotFoundException on any history with an empty commit).
/// </summary>
public sealed class PlanGitHistoryTests : IDisposable
{
    private readonly HistoryRepo _repo = new();

    public void Dispose() => _repo.Dispose();

    /// <summary>
    /// The review's repository: creds.ini and other.txt, an empty commit, then a change to other.txt, all in the same
    /// second as a script makes them (FileHistory's crash needs both the empty commit and equal commit times).
    /// </summary>
    private (string KeyId, DateTimeOffset FirstCommit) RepositoryWithAnEmptyCommit()
    {
        var id = _repo.NewKeyId();
        var when = new DateTimeOffset(2024, 1, 1, 12, 0, 0, TimeSpan.Zero);
        _repo.Write("creds.ini", $"aws_access_key_id={id}\naws_secret_access_key={_repo.NewSecret()}\n");
        _repo.Write("other.txt", "a\n");
        GitAt(when, "add", "-A");
        GitAt(when, "commit", "-q", "-m", "one");
        GitAt(when, "commit", "-q", "--allow-empty", "-m", "empty");
        File.AppendAllText(Path.Combine(_repo.Dir, "other.txt"), "b\n");
        GitAt(when, "commit", "-q", "-a", "-m", "two");
        return (id, when);
    }

    /// <summary>git in the test repository with author and committer dates fixed to <paramref name="when"/>.</summary>
    private void GitAt(DateTimeOffset when, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = _repo.Dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        _repo.Isolate(psi.Environment);
        psi.Environment["GIT_AUTHOR_DATE"] = psi.Environment["GIT_COMMITTER_DATE"] = when.ToString("yyyy-MM-ddTHH:mm:sszzz");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)}: {stderr.Result}");
    }

    [Fact]
    public void Plan_of_a_repository_with_an_empty_commit_dates_the_leak_by_its_first_commit()
    {
        var (id, firstCommit) = RepositoryWithAnEmptyCommit();
        var env = new Dictionary<string, string> { ["HOME"] = _repo.Home, ["GIT_CONFIG_NOSYSTEM"] = "1" };

        var run = KeyGuardProcess.Run(_repo.Dir, null, env, "plan", ".", "--offline", "-f", "json", "-o", "plan.json", "--now", "2024-03-01T00:00:00Z");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.DoesNotContain("Exception", run.Stderr);
        var plan = JsonDocument.Parse(File.ReadAllText(Path.Combine(_repo.Dir, "plan.json"))).RootElement.GetProperty("plans").EnumerateArray().Single();
        Assert.Equal(id, plan.GetProperty("keyId").GetString());
        Assert.Contains(plan.GetProperty("evidence").EnumerateArray(), e => e.GetString()!.StartsWith($"exposed since {firstCommit.UtcDateTime:yyyy-MM-dd}"));
    }

    [Fact]
    public void First_seen_is_the_oldest_commit_holding_the_file_and_null_for_nothing()
    {
        var (_, firstCommit) = RepositoryWithAnEmptyCommit();
        Assert.Equal(firstCommit, GitFileHistory.FirstSeen(Path.Combine(_repo.Dir, "creds.ini")));
        Assert.Equal(firstCommit, GitFileHistory.FirstSeen(Path.Combine(_repo.Dir, "other.txt")));
        // Untracked: its modification time. Missing and outside the work tree: no date, no exception.
        _repo.Write("new.txt", "x\n");
        var mtime = File.GetLastWriteTimeUtc(Path.Combine(_repo.Dir, "new.txt"));
        Assert.Equal(mtime, GitFileHistory.FirstSeen(Path.Combine(_repo.Dir, "new.txt"))!.Value.UtcDateTime);
        Assert.Null(GitFileHistory.FirstSeen(Path.Combine(_repo.Dir, "no-such-file")));
    }

    [Fact]
    public void First_seen_survives_a_file_that_was_deleted_and_added_again()
    {
        var (_, firstCommit) = RepositoryWithAnEmptyCommit();
        GitAt(firstCommit.AddDays(1), "rm", "-q", "creds.ini");
        GitAt(firstCommit.AddDays(1), "commit", "-q", "-m", "remove");
        _repo.Write("creds.ini", "again\n");
        GitAt(firstCommit.AddDays(2), "add", "creds.ini");
        GitAt(firstCommit.AddDays(2), "commit", "-q", "-m", "re-add");
        Assert.Equal(firstCommit, GitFileHistory.FirstSeen(Path.Combine(_repo.Dir, "creds.ini")));
    }
}
