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
            AssertNoDebugSymbols(zip);
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

    /// <summary>
    /// Shipped packages carry no debug symbols: the KeyGuard libraries' .pdb files came along with the publish (the
    /// native package's are checked by release-smoke.sh --tool, after its NativeAOT build).
    /// </summary>
    private static void AssertNoDebugSymbols(ZipArchive zip) =>
        Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase) || e.FullName.EndsWith(".dbg", StringComparison.Ordinal));

    /// <summary>
    /// The release feed's RID-specific layout (deploy/release.sh): a KeyGuard package that only points at one package
    /// per runtime identifier, plus the framework-dependent "any". A platform with no native package of its own (here:
    /// a feed whose only native RID is osx-arm64, installed on Linux) gets "any", which runs on the .NET runtime. The
    /// native side (linux-x64 gets the ELF binary) needs a NativeAOT compile of minutes: release-smoke.sh --tool
    /// checks it in CI.
    /// </summary>
    [Fact]
    public void A_platform_without_a_native_package_installs_the_framework_dependent_fallback()
    {
        var src = Path.Combine(_dir.Path, "src");
        var feed = Path.Combine(_dir.Path, "feed");
        var tools = Path.Combine(_dir.Path, "tools");
        ShipSupport.CopySources(src);
        string[] pack = ["pack", "src/KeyGuard.Cli", "-c", "Release", "-p:KeyGuardToolRids=osx-arm64", "-o", feed];

        var pointer = ShipSupport.Run("dotnet", pack, src);
        Assert.True(pointer.ExitCode == 0, pointer.ToString());
        var fallback = ShipSupport.Run("dotnet", [.. pack, "-r", "any"], src);
        Assert.True(fallback.ExitCode == 0, fallback.ToString());

        var pointerPackage = Assert.Single(Directory.GetFiles(feed, "KeyGuard.*.nupkg"), f => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), @"^KeyGuard\.\d+\.\d+\.\d+\.nupkg$"));
        var packageVersion = Path.GetFileName(pointerPackage)["KeyGuard.".Length..^".nupkg".Length];
        using (var zip = ZipFile.OpenRead(pointerPackage))
        {
            var settings = zip.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
            using var stream = settings.Open();
            var rids = XDocument.Load(stream).Descendants().Where(e => e.Name.LocalName == "RuntimeIdentifierPackage")
                .ToDictionary(e => e.Attribute("RuntimeIdentifier")!.Value, e => e.Attribute("Id")!.Value);
            Assert.Equal("KeyGuard.osx-arm64", rids["osx-arm64"]);
            Assert.Equal("KeyGuard.any", rids["any"]);
            Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith("keyguard.dll", StringComparison.Ordinal));   // a pointer, no binary
        }
        var any = Path.Combine(feed, $"KeyGuard.any.{packageVersion}.nupkg");
        Assert.True(File.Exists(any));
        using (var zip = ZipFile.OpenRead(any)) AssertNoDebugSymbols(zip);

        // A private package folder: a KeyGuard 0.1.0 another test installed must not stand in for this feed's.
        var env = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(_dir.Path, "nuget-packages") };
        var install = ShipSupport.Run("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed, "--version", packageVersion, "KeyGuard"], _dir.Path, env);
        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Single(Directory.GetFiles(Path.Combine(tools, ".store"), "keyguard.dll", SearchOption.AllDirectories),
            f => f.Contains("keyguard.any", StringComparison.Ordinal));
        var version = ShipSupport.Run(Path.Combine(tools, "keyguard"), ["--version"], _dir.Path);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout.Trim());
    }
}
