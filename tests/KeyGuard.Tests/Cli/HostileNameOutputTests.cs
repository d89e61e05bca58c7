using System.Text;
using System.Text.Json;
using KeyGuard.Tests.Git;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Cli;

/// <summary>
/// File names and commit authors come from the scanned repository, so they are hostile input: spreadsheet formulas
/// in CSV (reliability 1.63), terminal escapes and forged lines in text (1.62), other paths in SARIF (1.64).
/// </summary>
public sealed class HostileNameOutputTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeCredentials _fake = new(163);

    public void Dispose() => _dir.Dispose();

    private string PlantKeyIn(string relative)
    {
        var id = _fake.KeyId();
        _dir.Write(relative, $"aws_access_key_id = {id}\n");
        return id;
    }

    [Fact]
    public void Scan_csv_guards_cells_that_start_like_a_formula()
    {
        PlantKeyIn("names/=cmd|calc.ini");
        PlantKeyIn("names/@SUM(1+1)*cmd.ini");
        PlantKeyIn("names/+plus.ini");
        PlantKeyIn("names/-minus.ini");
        var r = KeyGuardProcess.Run(Path.Combine(_dir.Path, "names"), null, "scan", ".", "-f", "csv");
        Assert.Equal(1, r.ExitCode);
        var paths = r.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[2]).ToList();
        Assert.Equal(4, paths.Count);
        Assert.Contains("\"'=cmd|calc.ini\"", paths);
        Assert.Contains("\"'@SUM(1+1)*cmd.ini\"", paths);
        Assert.Contains("\"'+plus.ini\"", paths);
        Assert.Contains("\"'-minus.ini\"", paths);
        Assert.DoesNotContain(paths, p => p.TrimStart('"').StartsWith('=') || p.TrimStart('"').StartsWith('@'));
    }

    [Fact]
    public void History_csv_guards_a_formula_in_the_commit_author()
    {
        using var repo = HookTestRepo.Create();
        repo.Write("app.env", $"aws_access_key_id = {_fake.KeyId()}\n");
        repo.Git("add", "-A");
        repo.Git("-c", "user.name==1+2", "commit", "-q", "--no-verify", "-m", "add");
        var run = repo.Keyguard("scan", "--history", ".", "-f", "csv");
        Assert.True(run.Code == 1, run.ToString());
        var header = run.Out.Split("\r\n")[0].Split(',');
        var rows = run.Out.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.NotEmpty(rows);
        int author = Array.IndexOf(header, "author");
        Assert.All(rows, row => Assert.Equal("\"'=1+2\"", row.Split(',')[author]));
    }

    [Fact]
    public void Text_output_escapes_control_characters_in_file_names()
    {
        var esc = PlantKeyIn("names/esc\x1b[31mred.ini");
        var forged = PlantKeyIn("names/new\nline.ini:9:9  aws-access-key-id  key AKIA.ini");
        PlantKeyIn("names/bell\a\r\x7f\u009b.ini");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "names");
        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain(r.Stdout + r.Stderr, c => c == '\x1b' || c == '\r' || c == '\a' || c == '\x7f' || c == '\u009b');
        Assert.Contains(@"names/esc\x1b[31mred.ini:1:21", r.Stdout);
        Assert.Contains(@"names/bell\x07\r\x7f\u009b.ini:1:21", r.Stdout);
        // One line per finding: a newline in a name cannot start a line of its own.
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains(" findings; scanned ")).ToList();
        Assert.Equal(3, lines.Count);
        Assert.All(lines, line => Assert.StartsWith("names/", line));
        Assert.Contains(lines, line => line.StartsWith(@"names/new\nline.ini:9:9  aws-access-key-id  key AKIA.ini:1:21") && line.Contains(forged));
        Assert.Contains(lines, line => line.Contains(esc));
    }

    [Fact]
    public void Errors_on_stderr_escape_control_characters_in_paths()
    {
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "gone\x1b]0;owned\a\nkeyguard: fake.ini");
        Assert.Equal(3, r.ExitCode);
        Assert.DoesNotContain(r.Stderr, c => c == '\x1b' || c == '\a');
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("keyguard: gone"));
        Assert.Contains(@"keyguard: gone\x1b]0;owned\x07\nkeyguard: fake.ini: no such file or directory", r.Stderr);
    }

    [Fact]
    public void Hook_stderr_escapes_control_characters_in_staged_file_names()
    {
        using var repo = HookTestRepo.Create();
        var key = FakeKey.New(162);
        repo.Write("esc\x1b[2Jclear.env", key.EnvFile);
        repo.Write("new\n  fake.env:1  aws-secret-access-key.env", key.EnvFile);
        repo.Git("add", "-A");
        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 1, run.ToString());
        Assert.DoesNotContain('\x1b', run.Err);
        Assert.Contains(@"esc\x1b[2Jclear.env:1", run.Err);
        var listed = run.Err.Split('\n').Where(l => l.StartsWith("  ") && !l.StartsWith("  -")).ToList();
        Assert.Equal(4, listed.Count);
        Assert.Equal(2, listed.Count(l => l.StartsWith(@"  new\n  fake.env:1  aws-secret-access-key.env:")));
    }

    [Theory]
    [InlineData("back\\slash.ini", "names/back%5Cslash.ini")]
    [InlineData("with space.ini", "names/with%20space.ini")]
    [InlineData("100%.ini", "names/100%25.ini")]
    [InlineData("hash#frag?query.ini", "names/hash%23frag%3Fquery.ini")]
    [InlineData("c:colon.ini", "names/c%3Acolon.ini")]
    [InlineData("ünï.ini", "names/%C3%BCn%C3%AF.ini")]
    public void Sarif_uri_percent_encodes_the_real_path(string name, string uri)
    {
        PlantKeyIn("names/" + name);
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "names", "-f", "sarif");
        Assert.Equal(1, r.ExitCode);
        var result = JsonDocument.Parse(r.Stdout).RootElement.GetProperty("runs")[0].GetProperty("results")[0];
        Assert.Equal(uri, result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        // The URI names the file: decoding it gives the path back, byte for byte.
        Assert.Equal("names/" + name, Uri.UnescapeDataString(uri));
    }

    [Fact]
    public void Org_summary_markdown_and_html_escape_control_characters()
    {
        using var repo = HookTestRepo.Create("repos/r1");
        repo.Write("esc\x1b[31mred\n| forged | row |.env", $"aws_access_key_id = {_fake.KeyId()}\n");
        repo.CommitAll("add");
        var outDir = Path.Combine(repo.Root, "out");
        var run = repo.KeyguardIn(repo.Root, null, "org-scan", "--dir", Path.Combine(repo.Root, "repos"), "--cache", Path.Combine(repo.Root, "cache"), "--out", outDir, "--no-progress");
        Assert.True(run.Code == 1, run.ToString());
        var md = File.ReadAllText(Path.Combine(outDir, "summary.md"));
        var html = File.ReadAllText(Path.Combine(outDir, "summary.html"));
        Assert.DoesNotContain('\x1b', md + html);
        Assert.Contains(@"esc\x1b[31mred\n\| forged \| row \|.env:1", md);
        Assert.Contains(@"esc\x1b[31mred\n| forged | row |.env:1", html);
    }
}
