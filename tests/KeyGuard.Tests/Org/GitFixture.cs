using System.Diagnostics;
using System.Text.Json;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Org;

/// <summary>
/// Real repositories for org-scan tests, made with the git CLI in a temp folder: isolated from the machine's config
/// (GIT_CONFIG_NOSYSTEM, HOME in the temp folder), fixed author. Secrets are generated at run time.
/// </summary>
public sealed class GitFixture : IDisposable
{
    public TempDir Dir { get; } = new();
    public FakeCredentials Fake { get; }
    public string Root => Dir.Path;

    public GitFixture(int seed) => Fake = new FakeCredentials(seed);

    public void Dispose() => Dir.Dispose();

    public string Git(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["HOME"] = Root;
        psi.Environment["GIT_AUTHOR_NAME"] = psi.Environment["GIT_COMMITTER_NAME"] = "Test";
        psi.Environment["GIT_AUTHOR_EMAIL"] = psi.Environment["GIT_COMMITTER_EMAIL"] = "test@example.com";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)}: {stderr}");
        return stdout.Result.Trim();
    }

    /// <summary>A repository with a work tree and one commit of README.</summary>
    public string NewRepo(string name)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(path);
        Git(path, "init", "-q", "-b", "main");
        Commit(path, ("README.md", $"# {name}\n"));
        return path;
    }

    public string Commit(string repo, params (string Path, string Content)[] files)
    {
        foreach (var (rel, content) in files)
        {
            var full = Path.Combine(repo, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            Git(repo, "add", rel);
        }
        Git(repo, "commit", "-q", "-m", $"change {string.Join(", ", files.Select(f => f.Path))}");
        return Git(repo, "rev-parse", "HEAD");
    }

    /// <summary>Commits a key ID + secret pair in a new file; returns the key ID.</summary>
    public string CommitSecret(string repo, string file) => CommitSecretPair(repo, file).KeyId;

    public (string KeyId, string Secret) CommitSecretPair(string repo, string file)
    {
        var id = Fake.KeyId();
        var secret = Fake.Secret();
        Commit(repo, (file, $"aws_access_key_id = {id}\naws_secret_access_key = {secret}\n"));
        return (id, secret);
    }

    public KeyGuardProcess.Result OrgScan(params string[] args) => KeyGuardProcess.Run(Root, null, Prepend("org-scan", args));

    public KeyGuardProcess.Result OrgScan(IDictionary<string, string> env, params string[] args) => KeyGuardProcess.Run(Root, null, env, Prepend("org-scan", args));

    private static string[] Prepend(string first, string[] rest) => [first, .. rest];

    public static JsonElement Summary(string outDir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))).RootElement;

    /// <summary>(repo, fingerprint, status) of every finding in a summary.</summary>
    public static List<(string Repo, string Fingerprint, string Status, string? KeyId)> Findings(JsonElement summary) =>
        summary.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("repo").GetString()!, f.GetProperty("fingerprint").GetString()!, f.GetProperty("status").GetString()!,
                f.TryGetProperty("keyId", out var k) ? k.GetString() : null)).ToList();

    public static long Blobs(JsonElement summary) => summary.GetProperty("totals").GetProperty("blobs").GetInt64();
}
