using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KeyGuard.Tests.Support;
using Xunit;

namespace KeyGuard.Tests.Git;

/// <summary>
/// SHA-256 repositories (<c>git init --object-format=sha256</c>), which libgit2 cannot open, swept through git: the
/// same history built in a SHA-1 and a SHA-256 repository gives the same report (ids aside: 64 hex digits), keys in
/// files, commit messages and annotated tag messages included; what git cannot read is an error, never "clean".
/// </summary>
public sealed class Sha256RepositoryTests : IDisposable
{
    private readonly Twins _twins = new();
    public void Dispose() => _twins.Dispose();

    /// <summary>Two repositories that receive the same commands, with the same dates: one SHA-1, one SHA-256.</summary>
    private sealed class Twins : IDisposable
    {
        public HistoryRepo Sha1 { get; } = new(init: false);
        public HistoryRepo Sha256 { get; } = new(init: false);
        private IEnumerable<HistoryRepo> Both => [Sha1, Sha256];

        public Twins()
        {
            Sha1.Git("init -q -b main --object-format=sha1");
            Sha256.Git("init -q -b main --object-format=sha256");
            Git("config user.name Tester");
            Git("config user.email tester@example.com");
            Git("config commit.gpgsign false");
        }

        public void Git(string args) { foreach (var r in Both) r.Git(args); }
        public void Write(string path, string content) { foreach (var r in Both) r.Write(path, content); }
        public void Commit(string message) { foreach (var r in Both) r.Commit(message); }

        public void Dispose()
        {
            Sha1.Dispose();
            Sha256.Dispose();
        }
    }

    private static KeyGuardProcess.Result Sweep(HistoryRepo repo, params string[] extra) =>
        KeyGuardProcess.Run(repo.Root, null, Env(repo), ["scan", "--history", repo.Dir, "--no-progress", "-f", "json", .. extra]);

    private static Dictionary<string, string> Env(HistoryRepo repo) => new()
    {
        ["HOME"] = repo.Home, ["XDG_CONFIG_HOME"] = Path.Combine(repo.Home, ".config"), ["GIT_CONFIG_NOSYSTEM"] = "1",
    };

    /// <summary>
    /// The report with every object id replaced by what it names, the same in both formats: a commit by its place in
    /// the history (oldest first), a blob by the SHA-256 of its content. Timings dropped.
    /// </summary>
    private static string Normalized(HistoryRepo repo, string json)
    {
        var commits = repo.Git("rev-list --all --topo-order --reverse").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var node = JsonNode.Parse(json)!;
        node["stats"]!.AsObject().Remove("durationMs");
        var text = node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        return Regex.Replace(text, @"\b(?:[0-9a-f]{64}|[0-9a-f]{40})\b", m =>
        {
            int at = commits.IndexOf(m.Value);
            if (at >= 0) return $"commit#{at}";
            var type = repo.Git($"cat-file -t {m.Value}").Trim();
            if (type != "blob") return $"{type}?";
            var psi = new System.Diagnostics.ProcessStartInfo("git", ["-C", repo.Dir, "cat-file", "blob", m.Value]) { RedirectStandardOutput = true };
            using var git = System.Diagnostics.Process.Start(psi)!;
            using var content = new MemoryStream();
            git.StandardOutput.BaseStream.CopyTo(content);
            git.WaitForExit();
            return "blob#" + Convert.ToHexStringLower(SHA256.HashData(content.ToArray()))[..16];
        });
    }

    private void BuildHistoryWithKeysEverywhere(out string fileKey, out string messageKey, out string tagKey)
    {
        fileKey = _twins.Sha1.NewKeyId();
        messageKey = _twins.Sha1.NewKeyId();
        tagKey = _twins.Sha1.NewKeyId();
        var secret = _twins.Sha1.NewSecret();
        _twins.Write("README.md", "demo\n");
        _twins.Commit("init");
        _twins.Write("config/app.env", $"aws_access_key_id = {fileKey}\naws_secret_access_key = {secret}\n");
        _twins.Commit("add config");
        _twins.Commit($"rotate: old key was {messageKey}");
        _twins.Git("checkout -q -b side");
        _twins.Write("side.txt", "side work\n");
        _twins.Commit("side");
        _twins.Git("checkout -q main");
        _twins.Write("config/app.env", "aws_access_key_id = (from the vault)\n");
        _twins.Commit("remove the key");
        _twins.Git("merge -q --no-ff --no-edit side");
        _twins.Write("deploy/ci.env", $"AWS_ACCESS_KEY_ID={fileKey}\n");   // the same key again, still at HEAD
        _twins.Commit("ci");
        _twins.Git($"tag -a v1 -m \"release notes: aws_access_key_id {tagKey}\"");
        _twins.Git("tag -a v1-again -m \"a tag of a tag\" v1");
    }

    [Fact]
    public void History_sweep_of_a_sha256_repository_reports_what_the_same_sha1_history_reports()
    {
        BuildHistoryWithKeysEverywhere(out var fileKey, out var messageKey, out var tagKey);

        var sha1 = Sweep(_twins.Sha1);
        var sha256 = Sweep(_twins.Sha256);

        Assert.True(sha256.ExitCode == 1, $"exit {sha256.ExitCode}: {sha256.Stderr}");
        Assert.Equal(sha1.ExitCode, sha256.ExitCode);
        Assert.DoesNotContain("   at ", sha256.Stderr);
        using var doc = JsonDocument.Parse(sha256.Stdout);
        var findings = doc.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.Empty(doc.RootElement.GetProperty("errors").EnumerateArray());
        var inFile = Assert.Single(findings, f => f.GetProperty("keyId").GetString() == fileKey && f.GetProperty("rule").GetString() == "aws-access-key-id");
        Assert.Equal("config/app.env", inFile.GetProperty("path").GetString());
        Assert.Matches("^[0-9a-f]{64}$", inFile.GetProperty("commit").GetString()!);
        Assert.Equal(_twins.Sha256.Head("HEAD~4"), inFile.GetProperty("commit").GetString());   // "add config"
        var inMessage = Assert.Single(findings, f => f.GetProperty("keyId").GetString() == messageKey);
        Assert.Equal("<commit message>", inMessage.GetProperty("path").GetString());
        var inTag = Assert.Single(findings, f => f.GetProperty("keyId").GetString() == tagKey);
        Assert.Equal("<tag message: v1>", inTag.GetProperty("path").GetString());
        Assert.Equal(_twins.Sha256.Head(), inTag.GetProperty("commit").GetString());

        // Everything else — lines, labels, authors, dates, occurrences, presentAtHead, removedIn — as on SHA-1.
        Assert.Equal(Normalized(_twins.Sha1, sha1.Stdout), Normalized(_twins.Sha256, sha256.Stdout));

        // Text output and the narrowed forms work too.
        var text = KeyGuardProcess.Run(_twins.Sha256.Root, null, Env(_twins.Sha256), "scan", "--history", _twins.Sha256.Dir, "--no-progress");
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("config/app.env", text.Stdout);
        var range = Sweep(_twins.Sha256, "--range", "HEAD~1..HEAD");
        Assert.Equal(Normalized(_twins.Sha1, Sweep(_twins.Sha1, "--range", "HEAD~1..HEAD").Stdout), Normalized(_twins.Sha256, range.Stdout));
        // HEAD's line beyond the swept commits still decides presentAtHead and removedIn, as libgit2's walk does.
        foreach (var narrowed in new[] { new[] { "--branch", "side" }, ["--range", "HEAD~3..HEAD~1"], ["--max-depth", "2"] })
            Assert.Equal(Normalized(_twins.Sha1, Sweep(_twins.Sha1, narrowed).Stdout), Normalized(_twins.Sha256, Sweep(_twins.Sha256, narrowed).Stdout));
        var typo = Sweep(_twins.Sha256, "--range", "no-such-branch..HEAD");
        Assert.True(typo.ExitCode == 2, $"exit {typo.ExitCode}: {typo.Stderr}");
    }

    [Fact]
    public void A_sha256_blob_git_cannot_read_is_an_error_never_clean()
    {
        _twins.Write("a.txt", "one\n");
        _twins.Commit("one");
        var repo = _twins.Sha256;
        var blob = repo.Git("rev-parse HEAD:a.txt").Trim();
        Assert.Equal(64, blob.Length);
        File.Delete(Path.Combine(repo.Dir, ".git", "objects", blob[..2], blob[2..]));

        var r = Sweep(repo);

        Assert.True(r.ExitCode == 3, $"exit {r.ExitCode}: {r.Stdout}{r.Stderr}");
        Assert.Contains(blob, r.Stdout);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Unreachable_objects_cannot_be_listed_in_a_sha256_repository_and_say_so()
    {
        _twins.Write("a.txt", "one\n");
        _twins.Commit("one");

        var r = Sweep(_twins.Sha256, "--unreachable");

        Assert.True(r.ExitCode == 3, $"exit {r.ExitCode}: {r.Stdout}{r.Stderr}");
        Assert.Contains("--unreachable", r.Stdout);
        Assert.Contains("SHA-256", r.Stdout);
    }

    /// <summary>git in <paramref name="repo"/> with the repository's isolated config, keyguard's hooks finding the
    /// test build; returns the exit code and stderr instead of throwing.</summary>
    private static (int Code, string Err) TryGit(HistoryRepo repo, string workDir, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        repo.Isolate(psi.Environment);
        psi.Environment["KEYGUARD_BIN"] = KeyGuardProcess.DllPath;
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment.Remove("KEYGUARD_SKIP");
        using var git = System.Diagnostics.Process.Start(psi)!;
        var output = git.StandardOutput.ReadToEndAsync();
        var err = git.StandardError.ReadToEnd();
        git.WaitForExit();
        _ = output.Result;
        return (git.ExitCode, err);
    }

    /// <summary>Hook output with object ids blanked, to compare the two formats.</summary>
    private static string WithoutIds(string text) => Regex.Replace(text, @"\b(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{7,12})\b", "<id>");

    private void InstallHooks()
    {
        foreach (var repo in new[] { _twins.Sha1, _twins.Sha256 })
        {
            var install = KeyGuardProcess.Run(repo.Dir, null, Env(repo), "install");
            Assert.True(install.ExitCode == 0, install.Stderr);
        }
    }

    [Fact]
    public void Pre_commit_hook_blocks_a_staged_key_in_a_sha256_repository_as_in_a_sha1_one()
    {
        _twins.Write("README.md", "demo\n");
        _twins.Commit("init");
        InstallHooks();
        var key = FakeKey.New(1301);
        _twins.Write("config/app.env", "# settings\n" + key.EnvFile);
        _twins.Git("add -A");

        var sha1 = TryGit(_twins.Sha1, _twins.Sha1.Dir, "commit", "-q", "-m", "add config");
        var sha256 = TryGit(_twins.Sha256, _twins.Sha256.Dir, "commit", "-q", "-m", "add config");

        Assert.True(sha256.Code != 0, sha256.Err);
        Assert.Contains("config/app.env:2", sha256.Err);
        Assert.Contains("config/app.env:3", sha256.Err);
        Assert.DoesNotContain(key.Secret, sha256.Err);
        Assert.DoesNotContain("   at ", sha256.Err);
        Assert.Equal(WithoutIds(sha1.Err), WithoutIds(sha256.Err));

        // Only added lines count: a change next to the key, once it is committed (--no-verify), passes.
        _twins.Git("commit -q --no-verify -m accepted");
        _twins.Write("config/app.env", "# settings, edited\n" + key.EnvFile);
        _twins.Git("add -A");
        var edit = TryGit(_twins.Sha256, _twins.Sha256.Dir, "commit", "-q", "-m", "edit");
        Assert.True(edit.Code == 0, edit.Err);
        Assert.Equal(0, TryGit(_twins.Sha1, _twins.Sha1.Dir, "commit", "-q", "-m", "edit").Code);
    }

    [Fact]
    public void Pre_push_and_pre_receive_block_keys_in_files_messages_and_tags_of_a_sha256_repository()
    {
        _twins.Write("README.md", "demo\n");
        _twins.Commit("init");
        InstallHooks();
        var servers = new Dictionary<HistoryRepo, string>();
        foreach (var (repo, format) in new[] { (_twins.Sha1, "sha1"), (_twins.Sha256, "sha256") })
        {
            var server = Path.Combine(repo.Root, "server.git");
            repo.Git($"init -q --bare --object-format={format} \"{server}\"");
            repo.Git($"remote add origin \"{server}\"");
            servers[repo] = server;
        }
        (int Code, string Err) Push(HistoryRepo repo, params string[] args)
        {
            var (code, err) = TryGit(repo, repo.Dir, ["push", "origin", .. args]);
            return (code, err.Replace(repo.Root, "<root>"));
        }

        foreach (var repo in servers.Keys) Assert.Equal(0, Push(repo, "main").Code);

        // pre-push: a key in a file, then a key in a commit message, then one in an annotated tag's message.
        var key = FakeKey.New(1302);
        _twins.Write("deploy/app.env", key.EnvFile);
        _twins.Git("add -A");
        _twins.Git("commit -q --no-verify -m deploy");
        var inFile = (Sha1: Push(_twins.Sha1, "main"), Sha256: Push(_twins.Sha256, "main"));
        Assert.True(inFile.Sha256.Code != 0, inFile.Sha256.Err);
        Assert.Contains("deploy/app.env:1", inFile.Sha256.Err);
        Assert.Equal(WithoutIds(inFile.Sha1.Err), WithoutIds(inFile.Sha256.Err));

        _twins.Git("reset -q --hard HEAD~1");
        var messageKey = FakeKey.New(1303);
        _twins.Git($"commit -q --no-verify --allow-empty -m \"rotated {messageKey.Id}\"");
        var inMessage = (Sha1: Push(_twins.Sha1, "main"), Sha256: Push(_twins.Sha256, "main"));
        Assert.True(inMessage.Sha256.Code != 0, inMessage.Sha256.Err);
        Assert.Contains(messageKey.Id[..4], inMessage.Sha256.Err);
        Assert.Equal(WithoutIds(inMessage.Sha1.Err), WithoutIds(inMessage.Sha256.Err));

        _twins.Git("reset -q --hard HEAD~1");
        var tagKey = FakeKey.New(1304);
        _twins.Git($"tag -a v1 -m \"notes: aws_access_key_id={tagKey.Id}\"");
        var inTag = (Sha1: Push(_twins.Sha1, "v1"), Sha256: Push(_twins.Sha256, "v1"));
        Assert.True(inTag.Sha256.Code != 0, inTag.Sha256.Err);
        Assert.Contains("<tag message: v1>:1", inTag.Sha256.Err);
        Assert.Equal(WithoutIds(inTag.Sha1.Err), WithoutIds(inTag.Sha256.Err));

        // pre-receive on the SHA-256 server: the same key pushed past the client's hook is rejected there.
        var sha256Server = servers[_twins.Sha256];
        var install = KeyGuardProcess.Run(sha256Server, null, Env(_twins.Sha256), "install", "--server");
        Assert.True(install.ExitCode == 0, install.Stderr);
        _twins.Sha256.Write("deploy/app.env", key.EnvFile);
        _twins.Sha256.Git("add -A");
        _twins.Sha256.Git("commit -q --no-verify -m deploy");
        var rejected = Push(_twins.Sha256, "--no-verify", "main");
        Assert.True(rejected.Code != 0, rejected.Err);
        Assert.Contains("deploy/app.env:1", rejected.Err);
        Assert.Contains("pre-receive hook declined", rejected.Err);
        _twins.Sha256.Git("reset -q --hard HEAD~1");
        _twins.Sha256.Write("docs.md", "clean\n");
        _twins.Sha256.Git("add -A");
        _twins.Sha256.Git("commit -q --no-verify -m docs");
        var clean = Push(_twins.Sha256, "--no-verify", "main");
        Assert.True(clean.Code == 0, clean.Err);
    }
}
