using System.IO.Compression;
using System.Xml.Linq;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Ship;

/// <summary>
/// From a clean copy of the sources: <c>dotnet pack -o FEED</c> makes the KeyGuard tool package and nothing else, with
/// real metadata; <c>dotnet tool install --tool-path T --add-source FEED KeyGuard</c> gives a <c>keyguard</c> that
/// reports its version and finds a generated key (exit 1).
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Pack_of_the_solution_makes_only_the_tool_package_and_it_installs_and_finds_a_key()
    {
        var src = Path.Combine(_dir.Path, "src");
        var feed = Path.Combine(_dir.Path, "feed");
        var tools = Path.Combine(_dir.Path, "tools");
        ShipSupport.CopySources(src);

        var pack = ShipSupport.Run("dotnet", ["pack", "-o", feed], src);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        Assert.DoesNotContain("warning NU5", pack.Stdout); // NuGet's pack warnings: missing readme, licence, ...

        var packages = Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).ToList();
        var package = Assert.Single(packages);
        Assert.Matches(@"^KeyGuard\.\d+\.\d+\.\d+\.nupkg$", package);

        using (var zip = ZipFile.OpenRead(Path.Combine(feed, package!)))
        {
            var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using var stream = nuspecEntry.Open();
            var meta = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string Meta(string name) => meta.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
            Assert.Equal("KeyGuard", Meta("id"));
            Assert.Contains("AWS credentials", Meta("description"));
            Assert.NotEqual("Package Description", Meta("description"));
            Assert.Equal("MIT", Meta("license"));
            Assert.Equal("README.md", Meta("readme"));
            Assert.Contains("secret-scanning", Meta("tags"));
            Assert.Contains("DotnetTool", meta.Elements().Single(e => e.Name.LocalName == "packageTypes").ToString());
            Assert.Contains(zip.Entries, e => e.FullName == "README.md");
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/keyguard.dll", StringComparison.Ordinal));
        }

        var install = ShipSupport.Run("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed, "KeyGuard"], _dir.Path);
        Assert.True(install.ExitCode == 0, install.ToString());
        var keyguard = Path.Combine(tools, "keyguard");

        var version = ShipSupport.Run(keyguard, ["--version"], _dir.Path);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout.Trim());

        var fake = new FakeCredentials(1701);
        var target = Path.Combine(_dir.Path, "target");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "settings.py"),
            $"aws_access_key_id = \"{fake.KeyId()}\"\naws_secret_access_key = \"{fake.Secret()}\"\n");
        var scan = ShipSupport.Run(keyguard, ["scan", target], _dir.Path);
        Assert.True(scan.ExitCode == 1, scan.ToString());
        Assert.Contains("settings.py", scan.Stdout);
    }
}
