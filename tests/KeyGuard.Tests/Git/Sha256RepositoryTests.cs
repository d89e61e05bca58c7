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
}
