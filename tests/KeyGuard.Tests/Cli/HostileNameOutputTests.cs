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

}
