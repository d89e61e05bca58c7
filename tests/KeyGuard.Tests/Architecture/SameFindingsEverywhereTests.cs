using System.Text.Json;
using System.Text.RegularExpressions;
using KeyGuard.Tests.Git;
using Xunit;

namespace KeyGuard.Tests.Architecture;

/// <summary>
/// One scan session for every entry point (issue 12): the same content, planted under every kind of suppression, gives
/// the same findings with the same labels through scan, the pre-commit and pre-push hooks, scan --history and org-scan.
/// </summary>
public sealed class SameFindingsEverywhereTests
{
    private const string Zero = "0000000000000000000000000000000000000000";

    private sealed record Seen(string Path, int Line, string Rule)
    {
        public override string ToString() => $"{Path}:{Line} {Rule}";
    }

    [Fact]
    public void Every_entry_point_reports_the_same_findings_with_the_same_labels()
    {
        using var repo = HookTestRepo.Create();
        repo.Write("README.md", "a service\n");
        repo.CommitAll("start");

        var reported = FakeKey.New(1201);
        var inline = FakeKey.New(1202);
        var byPath = FakeKey.New(1203);
        var bySecret = FakeKey.New(1204);
        var excluded = FakeKey.New(1205);
        var gitAllowed = FakeKey.New(1206);
        var baselined = FakeKey.New(1207);
        var inMessage = FakeKey.New(1208);
        var inTag = FakeKey.New(1209);

        // The baseline is made where only the accepted key is, then committed with the rest: fingerprints hold no path.
        var scratch = Path.Combine(repo.Root, "scratch");
        Directory.CreateDirectory(scratch);
        File.WriteAllText(Path.Combine(scratch, "old.env"), baselined.EnvFile);
        var made = repo.KeyguardIn(scratch, null, "baseline", "create", ".", "-o", Path.Combine(repo.Dir, ".keyguard-baseline.json"));
        Assert.True(made.Code == 0, made.ToString());

        repo.Write(".keyguard.json", $$"""
            {
              "exclude": ["vendor/**"],
              "allowlist": { "secrets": ["^{{bySecret.Id}}$", "^{{Regex.Escape(bySecret.Secret)}}$"], "paths": ["fixtures/**"] },
              "baseline": ".keyguard-baseline.json"
            }
            """);
        repo.Write(".gitallowed", $"app/allowed-by-git-secrets.env\n");
        repo.Write("app/config.env", reported.EnvFile);
        repo.Write("app/inline.env", $"AWS_ACCESS_KEY_ID={inline.Id} # keyguard:allow\n");
        Directory.CreateDirectory(Path.Combine(repo.Dir, "fixtures"));
        repo.Write("fixtures/test.env", byPath.EnvFile);
        repo.Write("app/allowed.env", bySecret.EnvFile);
        Directory.CreateDirectory(Path.Combine(repo.Dir, "vendor"));
        repo.Write("vendor/lib.env", excluded.EnvFile);
        repo.Write("app/allowed-by-git-secrets.env", gitAllowed.EnvFile);
        repo.Write("app/moved.env", baselined.EnvFile);
        repo.Git("add", "-A");

        var files = new[] { new Seen("app/config.env", 1, "aws-access-key-id"), new Seen("app/config.env", 2, "aws-secret-access-key") };

        // scan of the work tree.
        var scan = repo.Keyguard("scan", ".", "-f", "json", "--no-progress");
        Assert.True(scan.Code == 1, scan.ToString());
        Assert.Equal(files, FromJson(scan.Out));

        // hook pre-commit on the staged change.
        var preCommit = repo.Keyguard("hook", "pre-commit");
        Assert.True(preCommit.Code == 1, preCommit.ToString());
        Assert.Equal(files, FromHook(preCommit.Err));

        repo.Write(".git/COMMIT_MSG", $"configure the service\n\nkey for the deploy: {inMessage.Id}\n");
        repo.Git("commit", "-q", "--no-verify", "-F", ".git/COMMIT_MSG");
        repo.Git("tag", "-a", "v1", "-m", $"release\n\nbuilt with {inTag.Id}");

        var everything = files.Concat([new Seen("<commit message>", 3, "aws-access-key-id"), new Seen("<tag message: v1>", 3, "aws-access-key-id")])
            .OrderBy(s => s.ToString(), StringComparer.Ordinal).ToList();

        // hook pre-push of the new branch and the new tag.
        var head = repo.Git("rev-parse", "HEAD").Trim();
        var tag = repo.Git("rev-parse", "v1").Trim();
        var prePush = repo.KeyguardWithInput($"refs/heads/master {head} refs/heads/master {Zero}\nrefs/tags/v1 {tag} refs/tags/v1 {Zero}\n", "hook", "pre-push", "origin", "url");
        Assert.True(prePush.Code == 1, prePush.ToString());
        Assert.Equal(everything, FromHook(prePush.Err));

        // scan --history.
        var history = repo.Keyguard("scan", "--history", ".", "-f", "json", "--no-progress");
        Assert.True(history.Code == 1, history.ToString());
        Assert.Equal(everything, FromJson(history.Out));

        // org-scan of the repository (its committed config applies by default).
        var list = Path.Combine(repo.Root, "repos.txt");
        File.WriteAllText(list, repo.Dir + "\n");
        var output = Path.Combine(repo.Root, "org-out");
        var org = repo.KeyguardIn(repo.Root, null, "org-scan", "--repos", list, "--cache", Path.Combine(repo.Root, "cache"), "--out", output, "--no-progress");
        Assert.True(org.Code == 1, org.ToString());
        var repoReport = Assert.Single(Directory.GetFiles(Path.Combine(output, "repos"), "*.json"));
        Assert.Equal(everything, FromJson(File.ReadAllText(repoReport)));

        // A security team's org scan without the repository's own config sees what that config hid.
        var strict = repo.KeyguardIn(repo.Root, null, "org-scan", "--repos", list, "--cache", Path.Combine(repo.Root, "cache2"),
            "--state", Path.Combine(repo.Root, "strict.db"), "--out", Path.Combine(repo.Root, "strict-out"), "--no-progress", "--no-repo-config");
        Assert.True(strict.Code == 1, strict.ToString());
        var strictJson = File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(repo.Root, "strict-out", "repos"), "*.json")));
        Assert.DoesNotContain(inline.Id, strictJson);   // an inline marker is part of the content, not of the config
        foreach (var shown in new[] { byPath, bySecret, excluded, gitAllowed, baselined })
            Assert.Contains(shown.Id, strictJson);
    }

    private static List<Seen> FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => new Seen(f.GetProperty("path").GetString()!, f.GetProperty("line").GetInt32(), f.GetProperty("rule").GetString()!))
            .OrderBy(s => s.ToString(), StringComparer.Ordinal).ToList();
    }

    /// <summary>The hooks' block message: one indented line per finding, "[commit] path:line  rule  redacted ...".</summary>
    private static List<Seen> FromHook(string stderr) =>
        Regex.Matches(stderr, @"^  (?:[0-9a-f]{12} )?(?<path>[^ ].*?):(?<line>\d+)  (?<rule>[a-z0-9-]+)  ", RegexOptions.Multiline)
            .Select(m => new Seen(m.Groups["path"].Value, int.Parse(m.Groups["line"].Value), m.Groups["rule"].Value))
            .OrderBy(s => s.ToString(), StringComparer.Ordinal).ToList();
}
