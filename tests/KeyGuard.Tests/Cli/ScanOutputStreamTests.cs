using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Cli;

/// <summary>
/// What goes where (ux S9, S23): the report on stdout or in the -o file; the summary and -v notes on stderr, so a CI
/// step that writes a file still says how many findings, and grep or wc -l on a text report count findings only.
/// </summary>
public sealed class ScanOutputStreamTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeCredentials _fake = new(923);

    public void Dispose() => _dir.Dispose();

    private void PlantPair(string file) =>
        _dir.Write(file, $"AWS_ACCESS_KEY_ID={_fake.KeyId()}\nAWS_SECRET_ACCESS_KEY={_fake.Secret()}\n");

    [Theory]
    [InlineData("sarif")]
    [InlineData("json")]
    [InlineData("csv")]
    [InlineData("text")]
    public void With_an_output_file_the_summary_is_still_printed_on_stderr(string format)
    {
        PlantPair(".env");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", ".env", "-f", format, "-o", "r.out");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Matches(@"^2 findings; scanned 1 file, 1\d\d B in \d+\.\d\ds\n$", r.Stderr);
    }

    [Fact]
    public void Text_report_holds_only_findings_summary_and_verbose_notes_go_to_stderr()
    {
        PlantPair("app/.env");
        _dir.WriteBytes("image.bin", [0x89, 0x50, 0x4E, 0x47, 0, 0, 1, 2]);
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "-v");
        Assert.Equal(1, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("app/.env:", l));
        Assert.Contains("skipped binary: image.bin\n", r.Stderr);
        Assert.Matches(@"\n2 findings; scanned \d+ files?, [^\n]*; 1 binary skipped in ", r.Stderr);

        // A machine-readable report on stdout stays alone: nothing on stderr.
        var json = KeyGuardProcess.Run(_dir.Path, null, "scan", "-f", "json");
        Assert.Equal("", json.Stderr);
    }

    [Fact]
    public void Json_sarif_and_baseline_files_end_with_a_newline()
    {
        _dir.Write(".env", $"AWS_ACCESS_KEY_ID={_fake.KeyId()}\n");
        Assert.EndsWith("}\n", KeyGuardProcess.Run(_dir.Path, null, "scan", ".env", "-f", "json").Stdout);
        Assert.EndsWith("}\n", KeyGuardProcess.Run(_dir.Path, null, "scan", ".env", "-f", "sarif").Stdout);
        Assert.Equal(1, KeyGuardProcess.Run(_dir.Path, null, "scan", ".env", "-f", "sarif", "-o", "r.sarif").ExitCode);
        var baseline = KeyGuardProcess.Run(_dir.Path, null, "baseline", "create", ".env", "-o", "bl.json");
        Assert.Equal(0, baseline.ExitCode);
        Assert.Equal("keyguard: wrote 1 baseline entry to bl.json\n", baseline.Stderr);
        foreach (var file in new[] { "r.sarif", "bl.json" })
        {
            var text = File.ReadAllText(Path.Combine(_dir.Path, file));
            Assert.EndsWith("}\n", text);
            Assert.False(text.EndsWith("\n\n"), file);
        }
    }
}
