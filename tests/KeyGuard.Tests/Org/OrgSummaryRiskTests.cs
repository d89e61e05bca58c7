using System.Text;
using System.Text.Json;
using KeyGuard.Tests.Aws;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>
/// The org summaries (issue 16): sorted by risk with a severity column, the owner when --verify named one, one row per
/// distinct key across repositories, and a CI step summary that stays under GitHub's 1 MiB limit however many findings
/// there are, pointing to the full report for the rest.
/// </summary>
public sealed class OrgSummaryRiskTests : IDisposable
{
    private readonly GitFixture _git = new(162);
    public void Dispose() => _git.Dispose();

    private static int Rank(string severity) => severity switch { "critical" => 0, "high" => 1, "medium" => 2, "low" => 3, _ => 4 };

    [Fact]
    public async Task Summaries_are_sorted_by_risk_with_severity_owner_and_one_row_per_key()
    {
        await using var bed = new EmulatorTestBed();
        var hot = bed.Keys.ActiveRecentlyUsed;   // alice's key, active and used lately: the riskiest once IAM is asked
        foreach (var name in new[] { "api", "web" })
            _git.Commit(_git.NewRepo(name), ("deploy.env", $"AWS_ACCESS_KEY_ID={hot.AccessKeyId}\n"));
        var (pairId, _) = _git.CommitSecretPair(_git.NewRepo("tools"), "ci/creds.env");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "api\nweb\ntools\n");

        var offline = _git.OrgScan("--repos", "repos.txt", "--cache", "c1", "--out", "o1", "--plan", "--no-progress");
        Assert.True(offline.ExitCode == 1, offline.Stderr);
        var s1 = GitFixture.Summary(Path.Combine(_git.Root, "o1"));
        // Offline the rules decide: the leaked secret (critical) comes before the key IDs (high).
        var first = s1.GetProperty("findings")[0];
        Assert.Equal("critical", first.GetProperty("risk").GetString());
        Assert.Equal("aws-secret-access-key", first.GetProperty("rule").GetString());
        var keys1 = s1.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(2, keys1.Count);   // the key ID in two repositories is one key; the pair is one key
        Assert.Equal(pairId, keys1[0].GetProperty("keyId").GetString());
        Assert.True(keys1[0].GetProperty("secretLeaked").GetBoolean());
        Assert.Equal(2, keys1[1].GetProperty("repositories").GetArrayLength());

        var verified = _git.OrgScan(bed.OperatorEnvironment(), "--repos", "repos.txt", "--cache", "c1", "--out", "o2", "--verify",
            "--endpoint-url", bed.Server.Url.ToString(), "--no-progress");
        Assert.True(verified.ExitCode == 1, verified.Stderr);
        var s2 = GitFixture.Summary(Path.Combine(_git.Root, "o2"));
        var risks = s2.GetProperty("findings").EnumerateArray().Select(f => Rank(f.GetProperty("risk").GetString()!)).ToList();
        Assert.Equal(risks.Order(), risks);
        var hotRow = s2.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("key").GetString() == hot.AccessKeyId);
        Assert.Equal("critical", hotRow.GetProperty("severity").GetString());
        Assert.Equal("alice", hotRow.GetProperty("owner").GetString());
        Assert.Equal(0, s2.GetProperty("keys").EnumerateArray().TakeWhile(k => k.GetProperty("key").GetString() != hot.AccessKeyId)
            .Count(k => Rank(k.GetProperty("severity").GetString()!) > 0));

        var md = File.ReadAllText(Path.Combine(_git.Root, "o2", "summary.md"));
        Assert.Contains("| severity | key | status | owner | secret leaked | repositories | seen in | exposed since |", md);
        Assert.Contains("| severity | status | repository | rule | secret | key ID | owner | where |", md);
        var keyRows = md[md.IndexOf("## Keys", StringComparison.Ordinal)..md.IndexOf("## Findings", StringComparison.Ordinal)]
            .Split('\n').Where(l => l.StartsWith("| **", StringComparison.Ordinal) || l.StartsWith("| low", StringComparison.Ordinal) || l.StartsWith("| medium", StringComparison.Ordinal)).ToList();
        var hotLine = Assert.Single(keyRows, l => l.Contains(hot.AccessKeyId));
        Assert.StartsWith("| **critical** |", hotLine);
        Assert.Contains("| alice |", hotLine);
        Assert.Contains("/api: deploy.env:1", hotLine);
        Assert.Contains("/web: deploy.env:1", hotLine);
        Assert.DoesNotContain("No IAM facts were looked up", md);
        var html = File.ReadAllText(Path.Combine(_git.Root, "o2", "summary.html"));
        Assert.Contains("<th>severity</th><th>key</th><th>status</th><th>owner</th>", html);
        Assert.Contains("<td>alice</td>", html);
    }

    [Fact]
    public void The_step_summary_of_thousands_of_findings_stays_under_1_MiB_with_the_riskiest_rows_and_a_pointer_to_the_rest()
    {
        // 40 repositories x 30 key pairs = 2,400 findings, at long paths so the full summary is well over 1 MiB.
        var names = new List<string>();
        var deep = string.Join('/', Enumerable.Range(0, 12).Select(i => $"service-component-{i:00}"));
        for (int r = 0; r < 40; r++)
        {
            var name = $"team-{r:00}-service";
            var repo = _git.NewRepo(name);
            var body = new StringBuilder();
            for (int k = 0; k < 30; k++) body.Append($"aws_access_key_id = {_git.Fake.KeyId()}\naws_secret_access_key = {_git.Fake.Secret()}\n\n");
            _git.Commit(repo, ($"{deep}/credentials-{r}.env", body.ToString()));
            names.Add(name);
        }
        File.WriteAllLines(Path.Combine(_git.Root, "repos.txt"), names);
        var env = new Dictionary<string, string> { ["GITHUB_SERVER_URL"] = "https://github.example", ["GITHUB_REPOSITORY"] = "acme/security", ["GITHUB_RUN_ID"] = "4242" };

        var run = _git.OrgScan(env, "--repos", "repos.txt", "--cache", "c", "--out", "out", "--plan", "--no-progress", "-j", "2");

        Assert.True(run.ExitCode == 1, run.Stderr);
        var summary = GitFixture.Summary(Path.Combine(_git.Root, "out"));
        Assert.True(summary.GetProperty("findings").GetArrayLength() >= 2000);
        var full = File.ReadAllText(Path.Combine(_git.Root, "out", "summary.md"));
        var stepFile = Path.Combine(_git.Root, "out", "step-summary.md");
        var step = File.ReadAllText(stepFile);
        Assert.True(Encoding.UTF8.GetByteCount(full) > 1024 * 1024, $"the full summary is {full.Length:N0} bytes: the test needs it over 1 MiB");
        Assert.True(new FileInfo(stepFile).Length < 1024 * 1024, $"step summary {new FileInfo(stepFile).Length:N0} bytes");
        // The riskiest rows come first and the step summary is the start of the same ordering.
        var fullRows = Rows(full, "## Findings");
        var stepRows = Rows(step, "## Findings");
        Assert.NotEmpty(stepRows);
        Assert.True(stepRows.Count < fullRows.Count);
        Assert.Equal(fullRows.Take(stepRows.Count), stepRows);
        Assert.StartsWith("| **critical** |", stepRows[0]);
        Assert.Contains("more findings (lower risk): see the full report", step);
        Assert.Contains("`summary.md`, `summary.html` and `summary.json`", step);
        Assert.Contains("(https://github.example/acme/security/actions/runs/4242)", step);
        Assert.Contains($"All {summary.GetProperty("keys").GetArrayLength():N0} keys and {summary.GetProperty("findings").GetArrayLength():N0} findings", step);
    }

    /// <summary>The table rows of the section that starts with <paramref name="heading"/>.</summary>
    private static List<string> Rows(string markdown, string heading)
    {
        var start = markdown.IndexOf(heading, StringComparison.Ordinal);
        var rest = markdown[(start + heading.Length)..];
        var end = rest.IndexOf("\n## ", StringComparison.Ordinal);
        return (end < 0 ? rest : rest[..end]).Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| severity", StringComparison.Ordinal)).ToList();
    }
}
