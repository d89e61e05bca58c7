using System.Text.Json;
using System.Text.RegularExpressions;
using KeyGuard.Tests.Git;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Scan;

/// <summary>
/// <c>-f gitlab</c>: gl-secret-detection-report.json, checked against the fields GitLab's secret-detection report
/// schema requires (the schema file itself is not available here): version, vulnerabilities[] with id, category, name,
/// description, severity, location {file, start_line, commit.sha} and identifiers[] {type, name, value}, and scan
/// {analyzer, scanner, type "secret_detection", start_time, end_time, status}.
/// </summary>
public sealed class GitLabReportTests(CiFormatFixture fx) : IClassFixture<CiFormatFixture>
{
    private static readonly string[] Severities = ["Info", "Unknown", "Low", "Medium", "High", "Critical"];
    private static readonly Regex Time = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$");

    private static string Str(JsonElement e, string name)
    {
        Assert.True(e.TryGetProperty(name, out var v), $"missing {name}");
        Assert.Equal(JsonValueKind.String, v.ValueKind);
        Assert.False(string.IsNullOrEmpty(v.GetString()), $"empty {name}");
        return v.GetString()!;
    }

    internal static void CheckRequiredFields(JsonElement root, int atLeast)
    {
        Assert.Matches(@"^15\.\d+\.\d+$", Str(root, "version"));
        var vulns = root.GetProperty("vulnerabilities").EnumerateArray().ToList();
        Assert.True(vulns.Count >= atLeast);
        Assert.Equal(vulns.Count, vulns.Select(v => Str(v, "id")).Distinct().Count());
        foreach (var v in vulns)
        {
            Assert.Equal("secret_detection", Str(v, "category"));
            Str(v, "name");
            Str(v, "description");
            Assert.Contains(Str(v, "severity"), Severities);
            var loc = v.GetProperty("location");
            Str(loc, "file");
            Assert.True(loc.GetProperty("start_line").GetInt32() >= 1);
            Str(loc.GetProperty("commit"), "sha");
            var ids = v.GetProperty("identifiers").EnumerateArray().ToList();
            Assert.NotEmpty(ids);
            foreach (var id in ids) { Str(id, "type"); Str(id, "name"); Str(id, "value"); }
        }
        var scan = root.GetProperty("scan");
        foreach (var tool in new[] { "analyzer", "scanner" })
        {
            var t = scan.GetProperty(tool);
            Str(t, "id"); Str(t, "name"); Str(t, "version"); Str(t.GetProperty("vendor"), "name");
        }
        Assert.Equal("secret_detection", Str(scan, "type"));
        Assert.Matches(Time, Str(scan, "start_time"));
        Assert.Matches(Time, Str(scan, "end_time"));
        Assert.Contains(Str(scan, "status"), new[] { "success", "failure" });
    }

    [Fact]
    public void Working_tree_scan_writes_a_report_with_every_required_field_and_no_secret()
    {
        var report = Path.Combine(fx.Dir.Path, "gl-secret-detection-report.json");
        var r = fx.Scan(fx.Leaky, ".", "-f", "gitlab", "-o", report);
        Assert.Equal(1, r.ExitCode);
        var text = File.ReadAllText(report);
        Assert.DoesNotContain(fx.Secret, text);
        using var doc = JsonDocument.Parse(text);
        CheckRequiredFields(doc.RootElement, 2);
        var v = doc.RootElement.GetProperty("vulnerabilities")[0];
        Assert.Equal(CiFormatFixture.KeyFile, v.GetProperty("location").GetProperty("file").GetString());
        Assert.Equal("0000000", v.GetProperty("location").GetProperty("commit").GetProperty("sha").GetString());
        Assert.Equal("success", doc.RootElement.GetProperty("scan").GetProperty("status").GetString());
    }

    [Fact]
    public void History_scan_names_the_commit()
    {
        using var repo = HookTestRepo.Create();
        var fake = new FakeCredentials(77);
        repo.Write("app.cfg", $"aws_access_key_id = {fake.KeyId()}\naws_secret_access_key = {fake.Secret()}\n");
        repo.Git("add", "app.cfg");
        repo.Git("commit", "-q", "-m", "add config");
        var sha = repo.Git("rev-parse", "HEAD").Trim();
        var r = KeyGuardProcess.Run(repo.Dir, null, "scan", "--history", "--no-progress", "-f", "gitlab");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        CheckRequiredFields(doc.RootElement, 1);
        Assert.All(doc.RootElement.GetProperty("vulnerabilities").EnumerateArray(),
            v => Assert.Equal(sha, v.GetProperty("location").GetProperty("commit").GetProperty("sha").GetString()));
    }

    [Fact]
    public void A_clean_scan_has_no_vulnerabilities()
    {
        var r = fx.Scan(fx.Clean, ".", "-f", "gitlab");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        CheckRequiredFields(doc.RootElement, 0);
        Assert.Equal(0, doc.RootElement.GetProperty("vulnerabilities").GetArrayLength());
    }
}
