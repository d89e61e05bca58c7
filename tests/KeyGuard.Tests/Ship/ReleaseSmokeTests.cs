using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Ship;

/// <summary>
/// deploy/release-smoke.sh without a NativeAOT build (minutes; .ci/run does the real one): archives laid out as
/// release.sh lays them out, whose <c>keyguard</c> is a wrapper around this test run's build. A clean archive passes
/// every check (checksum, generated key found, history, org-scan); one that ships debug symbols, as .tar.gz or as the
/// Windows .zip, or whose checksum does not match, fails and says why.
/// </summary>
public sealed class ReleaseSmokeTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static string Script => Path.Combine(ShipSupport.RepoRoot(), "deploy", "release-smoke.sh");

    /// <summary>An archive named NAME.EXT holding NAME/FILE for each file, and its NAME.EXT.sha256.</summary>
    private string Archive(string name, string ext, params (string File, string Content)[] files)
    {
        var stage = Path.Combine(_dir.Path, "stage-" + Guid.NewGuid().ToString("N")[..8], name);
        Directory.CreateDirectory(stage);
        foreach (var (file, content) in files)
        {
            var path = Path.Combine(stage, file);
            File.WriteAllText(path, content);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var archive = Path.Combine(_dir.Path, $"{name}.{ext}");
        if (ext == "zip")
            ZipFile.CreateFromDirectory(stage, archive, CompressionLevel.Fastest, includeBaseDirectory: true);
        else
        {
            using var gz = new GZipStream(File.Create(archive), CompressionLevel.Fastest);
            TarFile.CreateFromDirectory(stage, gz, includeBaseDirectory: true);
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(archive)));
        File.WriteAllText(archive + ".sha256", $"{hash}  {Path.GetFileName(archive)}\n");
        return archive;
    }

    private static (string, string) Wrapper() =>
        ("keyguard", $"#!/bin/sh\nexec dotnet '{KeyGuardProcess.DllPath}' \"$@\"\n");

    private ShipSupport.Result Smoke(string archive) =>
        ShipSupport.Run("bash", [Script, archive], _dir.Path, timeoutSeconds: 300);

    [Fact]
    public void A_clean_archive_passes_every_check()
    {
        var archive = Archive("keyguard-0.1.0-linux-x64", "tar.gz", Wrapper(), ("libe_sqlite3.so", ""), ("LICENSE", "MIT"));
        var r = Smoke(archive);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("release-smoke: ok (keyguard-0.1.0-linux-x64.tar.gz)", r.Stdout);
    }

    [Theory]
    [InlineData("tar.gz", "KeyGuard.Scan.pdb")]
    [InlineData("tar.gz", "keyguard.dbg")]
    [InlineData("zip", "KeyGuard.Engine.pdb")]
    public void An_archive_with_debug_symbols_fails(string ext, string symbols)
    {
        var archive = Archive("keyguard-0.1.0-" + (ext == "zip" ? "win-x64" : "linux-x64"), ext, Wrapper(), (symbols, "symbols"));
        var r = Smoke(archive);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ships debug symbols", r.Stderr);
        Assert.Contains(symbols, r.Stderr);
    }

    [Fact]
    public void An_archive_whose_checksum_does_not_match_fails()
    {
        var archive = Archive("keyguard-0.1.0-linux-x64", "tar.gz", Wrapper());
        File.WriteAllText(archive + ".sha256", new string('0', 64) + "  " + Path.GetFileName(archive) + "\n");
        var r = Smoke(archive);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("FAILED: checksum", r.Stderr);
    }
}
