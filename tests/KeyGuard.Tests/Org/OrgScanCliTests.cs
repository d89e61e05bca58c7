using System.Text.Json;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>The real `keyguard org-scan` / `org-merge` processes against real repositories in temp folders.</summary>
public sealed class OrgScanCliTests : IDisposable
{
    private readonly GitFixture _git = new(41);
    private string Out(string name) => Path.Combine(_git.Root, name);

    public void Dispose() => _git.Dispose();

    [Fact]
    public void Second_run_scans_only_new_objects_including_a_fetched_mirror()
    {
        var a = _git.NewRepo("a");
        var (_, secret) = _git.CommitSecretPair(a, "config/.env");
        var b = _git.NewRepo("b");
        var origin = _git.NewRepo("origin");
        _git.CommitSecret(origin, "deploy.sh");
        var bare = Path.Combine(_git.Root, "bare.git");
        _git.Git(_git.Root, "clone", "-q", "--bare", b, bare);
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), $"# team repos\na\n\nbare.git\nfile://{origin}\n");

        var first = _git.OrgScan("--repos", "repos.txt", "--cache", "cache", "--out", "out1");
        Assert.True(first.ExitCode == 1, first.Stderr);
        var s1 = GitFixture.Summary(Out("out1"));
        Assert.Equal(3, s1.GetProperty("totals").GetProperty("repositories").GetInt32());
        Assert.Equal(5, GitFixture.Blobs(s1)); // three READMEs and two secret files
        Assert.All(GitFixture.Findings(s1), f => Assert.Equal("new", f.Status));
        Assert.Equal(4, GitFixture.Findings(s1).Count); // key ID + secret in a and in origin
        Assert.True(Directory.Exists(Path.Combine(_git.Root, "cache")), "the URL was cloned into the cache");
        Assert.True(File.Exists(Path.Combine(_git.Root, "cache.state.db")), "state next to the cache by default");
        foreach (var ext in new[] { "json", "sarif" })
            Assert.Equal(3, Directory.GetFiles(Path.Combine(Out("out1"), "repos"), "*." + ext).Length);
        Assert.True(File.Exists(Path.Combine(Out("out1"), "summary.md")));
        Assert.True(File.Exists(Path.Combine(Out("out1"), "summary.html")));

        var second = _git.OrgScan("--repos", "repos.txt", "--cache", "cache", "--out", "out2");
        Assert.Equal(1, second.ExitCode);
        var s2 = GitFixture.Summary(Out("out2"));
        Assert.Equal(0, GitFixture.Blobs(s2));
        Assert.All(GitFixture.Findings(s2), f => Assert.Equal("open", f.Status));

        // One commit with two new files in a work tree, one new file pushed to the remote: exactly 3 new blobs.
        _git.Commit(a, ("src/app.py", "print('hi')\n"), ("src/util.py", "x = 1\n"));
        _git.Commit(origin, ("notes.txt", "nothing secret\n"));
        var third = _git.OrgScan("--repos", "repos.txt", "--cache", "cache", "--out", "out3");
        Assert.Equal(1, third.ExitCode);
        var s3 = GitFixture.Summary(Out("out3"));
        Assert.Equal(3, GitFixture.Blobs(s3));
        Assert.Equal(2, s3.GetProperty("totals").GetProperty("commits").GetInt64());

        // Per-repository JSON is the scan JSON v1 with status fields; no plaintext secret anywhere.
        var repoJson = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(Out("out3"), "repos"), "a-*.json").Single())).RootElement;
        Assert.Equal(1, repoJson.GetProperty("version").GetInt32());
        Assert.All(repoJson.GetProperty("findings").EnumerateArray(), f => Assert.Equal("open", f.GetProperty("status").GetString()));
        Assert.Contains(repoJson.GetProperty("findings").EnumerateArray(), f => f.GetProperty("secret").GetString()!.Contains("…(40)"));
        var written = new[] { Path.Combine(_git.Root, "cache.state.db") }.Concat(Directory.GetFiles(Out("out3"), "*", SearchOption.AllDirectories));
        Assert.All(written, file => Assert.DoesNotContain(secret, System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(file))));
    }

    [Fact]
    public void A_broken_repository_is_reported_and_the_others_complete()
    {
        var good = _git.NewRepo("good");
        var id = _git.CommitSecret(good, ".env");
        var corrupt = _git.NewRepo("corrupt");
        _git.CommitSecret(corrupt, "x.env");
        foreach (var dir in Directory.GetDirectories(Path.Combine(corrupt, ".git", "objects"), "??")) Directory.Delete(dir, true);
        var huge = _git.NewRepo("huge");
        _git.Commit(huge, ("blob.bin", Convert.ToBase64String(_git.Fake.Random.GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 1_600_000))));
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "good\ncorrupt\nhuge\nmissing\n");

        var r = _git.OrgScan("--repos", "repos.txt", "--out", "out", "--max-repo-mb", "1", "--jobs", "3");
        Assert.True(r.ExitCode == 3, r.Stderr);
        var s = GitFixture.Summary(Out("out"));
        var repos = s.GetProperty("repositories").EnumerateArray().ToDictionary(x => Path.GetFileName(x.GetProperty("repo").GetString()!), x => x);
        Assert.Equal("ok", repos["good"].GetProperty("outcome").GetString());
        foreach (var bad in new[] { "corrupt", "huge", "missing" }) Assert.True(repos[bad].GetProperty("outcome").GetString() == "failed", bad);
        Assert.Contains("--max-repo-mb", repos["huge"].GetProperty("error").GetString());
        Assert.Contains(GitFixture.Findings(s), f => f.KeyId == id && f.Repo.EndsWith("/good"));
        var md = File.ReadAllText(Path.Combine(Out("out"), "summary.md"));
        Assert.Contains("## Failed repositories", md);
        Assert.Contains("no such directory", md);
        // JSON-lines events on stderr (not a terminal).
        var events = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "failed" && e.GetProperty("repo").GetString()!.EndsWith("/missing") && e.TryGetProperty("error", out _));
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "done" && e.GetProperty("blobs").GetInt64() > 0);
        Assert.All(events, e => Assert.True(e.TryGetProperty("time", out _)));
    }

    [Fact]
    public void Statuses_new_open_resolved_rotated_follow_the_history()
    {
        var repo = _git.NewRepo("svc");
        var kept = _git.CommitSecret(repo, "prod.env");
        _git.Git(repo, "checkout", "-q", "-b", "leak");
        var dropped = _git.CommitSecret(repo, "leak.env");
        _git.Git(repo, "checkout", "-q", "main");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "svc\n");
        Assert.Equal(1, _git.OrgScan("--repos", "repos.txt", "--out", "o1").ExitCode);
        Assert.All(GitFixture.Findings(GitFixture.Summary(Out("o1"))), f => Assert.Equal("new", f.Status));

        // The branch holding one secret is deleted (its commit is unreachable from every ref); another secret is added.
        _git.Git(repo, "branch", "-q", "-D", "leak");
        var added = _git.CommitSecret(repo, "staging.env");
        Assert.Equal(1, _git.OrgScan("--repos", "repos.txt", "--out", "o2").ExitCode);
        var byKey = GitFixture.Findings(GitFixture.Summary(Out("o2"))).GroupBy(f => f.KeyId!).ToDictionary(g => g.Key, g => g.Select(f => f.Status).Distinct().Single());
        Assert.Equal("open", byKey[kept]);
        Assert.Equal("resolved", byKey[dropped]);
        Assert.Equal("new", byKey[added]);

        // Rotating the remaining keys by key ID leaves nothing exposed: exit 0.
        var mark = _git.OrgScan("--repos", "repos.txt", "--out", "o3", "--mark-rotated", kept, "--mark-rotated", added);
        Assert.True(mark.ExitCode == 0, mark.Stdout + mark.Stderr);
        Assert.All(GitFixture.Findings(GitFixture.Summary(Out("o3"))).Where(f => f.KeyId != dropped), f => Assert.Equal("rotated", f.Status));
        Assert.Equal(2, _git.OrgScan("--mark-rotated", "no-such-fingerprint").ExitCode);
    }

    [Fact]
    public void A_force_push_that_drops_a_secret_resolves_it_in_the_fetched_mirror()
    {
        var origin = _git.NewRepo("origin");
        var leaked = _git.CommitSecret(origin, "leak.env");
        var leakCommit = _git.Git(origin, "rev-parse", "HEAD");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), $"file://{origin}\n");
        Assert.Equal(1, _git.OrgScan("--repos", "repos.txt", "--out", "o1").ExitCode);

        // History rewritten: the secret's commit is replaced and the branch force-moved (as a force-push would).
        _git.Git(origin, "reset", "-q", "--hard", "HEAD~1");
        _git.Commit(origin, ("fixed.txt", "no secrets\n"));
        var r = _git.OrgScan("--repos", "repos.txt", "--out", "o2");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var s = GitFixture.Summary(Out("o2"));
        Assert.All(GitFixture.Findings(s), f => Assert.Equal("resolved", f.Status));
        Assert.Contains(GitFixture.Findings(s), f => f.KeyId == leaked);
        Assert.Equal(1, GitFixture.Blobs(s)); // only fixed.txt is new

        // The old history pushed back: its blobs were forgotten when they became unreachable, so they are scanned
        // again and the finding reopens (open: it was first seen in the first run).
        _git.Git(origin, "reset", "-q", "--hard", leakCommit);
        Assert.Equal(1, _git.OrgScan("--repos", "repos.txt", "--out", "o3").ExitCode);
        var reopened = GitFixture.Findings(GitFixture.Summary(Out("o3")));
        Assert.All(reopened.Where(f => f.KeyId == leaked), f => Assert.Equal("open", f.Status));
    }

    [Fact]
    public void An_interrupted_run_resumes_where_it_stopped()
    {
        var names = new[] { "r1", "r2", "r3" };
        foreach (var n in names) _git.CommitSecret(_git.NewRepo(n), "k.env");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), string.Join('\n', names));
        var killed = _git.OrgScan(new Dictionary<string, string> { ["KEYGUARD_ORG_STOP_AFTER"] = "1" }, "--repos", "repos.txt", "--jobs", "1", "--out", "o1");
        Assert.Equal(137, killed.ExitCode);
        Assert.Single(killed.Stderr.Split('\n'), l => l.Contains("\"event\":\"done\""));

        var resumed = _git.OrgScan("--repos", "repos.txt", "--jobs", "1", "--out", "o2");
        Assert.Equal(1, resumed.ExitCode);
        Assert.Single(resumed.Stderr.Split('\n'), l => l.Contains("\"event\":\"skipped-done\""));
        Assert.Equal(2, resumed.Stderr.Split('\n').Count(l => l.Contains("\"event\":\"done\"")));
        var s = GitFixture.Summary(Out("o2"));
        Assert.Equal(1, s.GetProperty("run").GetProperty("id").GetInt32()); // the same run, finished now
        Assert.Equal(6, GitFixture.Findings(s).Count);
        Assert.All(GitFixture.Findings(s), f => Assert.Equal("new", f.Status)); // first seen in this (resumed) run

        var next = _git.OrgScan("--repos", "repos.txt", "--out", "o3");
        Assert.Equal(2, GitFixture.Summary(Out("o3")).GetProperty("run").GetProperty("id").GetInt32());
        Assert.Equal(0, GitFixture.Blobs(GitFixture.Summary(Out("o3"))));

        // --restart does not resume the interrupted run 3: run 4 starts, skips nothing, and has nothing new to scan.
        Assert.Equal(137, _git.OrgScan(new Dictionary<string, string> { ["KEYGUARD_ORG_STOP_AFTER"] = "1" }, "--repos", "repos.txt", "--jobs", "1").ExitCode);
        var restarted = _git.OrgScan("--repos", "repos.txt", "--restart", "--out", "o4");
        Assert.DoesNotContain("skipped-done", restarted.Stderr);
        Assert.Equal(4, GitFixture.Summary(Out("o4")).GetProperty("run").GetProperty("id").GetInt32());
        Assert.Equal(0, GitFixture.Blobs(GitFixture.Summary(Out("o4"))));
    }

    [Fact]
    public void Shards_cover_every_repository_once_and_merge_equals_the_unsharded_run()
    {
        var names = Enumerable.Range(0, 7).Select(i => $"repo{i}").ToList();
        foreach (var n in names)
        {
            var path = _git.NewRepo(n);
            if (n != "repo3") _git.CommitSecret(path, "app.env");
        }
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), string.Join('\n', names));
        Assert.Equal(1, _git.OrgScan("--repos", "repos.txt", "--state", "all.db", "--out", "all").ExitCode);
        var expected = GitFixture.Findings(GitFixture.Summary(Out("all"))).Select(f => (f.Repo, f.Fingerprint, f.Status)).Order().ToList();
        Assert.Equal(12, expected.Count);

        foreach (int n in new[] { 2, 3 })
        {
            var seen = new List<string>();
            var dirs = new List<string>();
            for (int i = 0; i < n; i++)
            {
                var dir = $"s{n}-{i}";
                var r = _git.OrgScan("--repos", "repos.txt", "--shard", $"{i}/{n}", "--state", $"{dir}.db", "--out", dir);
                Assert.True(r.ExitCode is 0 or 1, r.Stderr);
                seen.AddRange(GitFixture.Summary(Out(dir)).GetProperty("repositories").EnumerateArray().Select(x => Path.GetFileName(x.GetProperty("repo").GetString()!)));
                dirs.Add(dir);
            }
            Assert.Equal(names, seen.Order().ToList()); // every repository exactly once

            var merge = KeyGuardProcess.Run(_git.Root, null, ["org-merge", .. dirs, "--out", $"merged{n}"]);
            Assert.True(merge.ExitCode == 1, merge.Stderr);
            var merged = GitFixture.Summary(Out($"merged{n}"));
            Assert.Equal(expected, GitFixture.Findings(merged).Select(f => (f.Repo, f.Fingerprint, f.Status)).Order().ToList());
            Assert.Equal(names.Count, Directory.GetFiles(Path.Combine(Out($"merged{n}"), "repos"), "*.sarif").Length);
        }

        // A shard that never wrote its output is reported (exit 3); the others are merged all the same.
        var partial = KeyGuardProcess.Run(_git.Root, null, "org-merge", "s2-0", "s2-lost", "--out", "partial");
        Assert.Equal(3, partial.ExitCode);
        Assert.Contains("s2-lost", partial.Stderr);
        Assert.Equal(GitFixture.Summary(Out("s2-0")).GetProperty("totals").GetProperty("repositories").GetInt32(),
            GitFixture.Summary(Out("partial")).GetProperty("totals").GetProperty("repositories").GetInt32());
    }

    [Fact]
    public void Plans_are_offline_and_usage_errors_exit_2()
    {
        var repo = _git.NewRepo("p");
        var id = _git.CommitSecret(repo, "a.env");
        File.WriteAllText(Path.Combine(_git.Root, "repos.txt"), "p\n");
        Assert.Equal(1, _git.OrgScan("--repos", "repos.txt", "--out", "o", "--plan").ExitCode);
        var md = File.ReadAllText(Path.Combine(Out("o"), "summary.md"));
        Assert.Contains("leaked-unknown", md);
        Assert.Contains($"aws sts get-access-key-info --access-key-id {id}", File.ReadAllText(Path.Combine(Out("o"), "plan.md")));
        var html = File.ReadAllText(Path.Combine(Out("o"), "summary.html"));
        Assert.Contains("<!DOCTYPE html>", html);
        Assert.Contains(id, html);
        foreach (var external in new[] { "<script", "<link", " src=", "url(", "@import" }) Assert.DoesNotContain(external, html); // self-contained

        // --dir: every checkout or bare mirror directly inside the folder, nothing else.
        _git.Git(_git.Root, "clone", "-q", "--bare", repo, Path.Combine(_git.Root, "p-mirror.git"));
        Directory.CreateDirectory(Path.Combine(_git.Root, "not-a-repo"));
        Assert.Equal(1, _git.OrgScan("--dir", ".", "--state", "dir.db", "--out", "d").ExitCode);
        var found = GitFixture.Summary(Out("d")).GetProperty("repositories").EnumerateArray().Select(r => Path.GetFileName(r.GetProperty("repo").GetString()!)).Order();
        Assert.Equal(["p", "p-mirror.git"], found);

        foreach (var args in new[] { new[] { "--shard", "3/3", "--repos", "repos.txt" }, ["--repos", "nope.txt"], [], ["--jobs", "0", "--repos", "repos.txt"] })
        {
            var r = _git.OrgScan(args);
            Assert.True(r.ExitCode == 2, string.Join(' ', args) + ": " + r.Stderr);
            Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
