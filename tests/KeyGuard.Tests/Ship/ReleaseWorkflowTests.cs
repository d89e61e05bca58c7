using YamlDotNet.RepresentationModel;

namespace KeyGuard.Tests.Ship;

/// <summary>
/// The release workflow (.github/workflows/release.yml): NativeAOT cannot cross-compile between operating systems, so
/// each of the four archives is built and smoke-tested on a runner of its own platform. No GitHub runner here: the file
/// is parsed and its jobs checked (the actions' pins are checked by <see cref="PinnedActionsTests"/>).
/// </summary>
public sealed class ReleaseWorkflowTests
{
    private const string Workflow = ".github/workflows/release.yml";

    private static YamlMappingNode Load()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(ShipSupport.RepoRoot(), Workflow))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode Get(YamlNode node, params string[] path)
    {
        foreach (var key in path) node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        return node;
    }

    private static string? Str(YamlNode node, params string[] path)
    {
        foreach (var key in path)
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node!)) return null;
        return (node as YamlScalarNode)?.Value;
    }

    private static List<YamlMappingNode> Steps(YamlNode job) =>
        ((YamlSequenceNode)Get(job, "steps")).Children.Cast<YamlMappingNode>().ToList();

    [Fact]
    public void Matrix_builds_the_four_archives_each_on_a_runner_of_its_platform()
    {
        var build = Get(Load(), "jobs", "build");
        Assert.Equal("${{ matrix.os }}", Str(build, "runs-on"));
        Assert.Equal("false", Str(build, "strategy", "fail-fast"));   // one platform's failure must not hide another's
        var include = ((YamlSequenceNode)Get(build, "strategy", "matrix", "include")).Children
            .Cast<YamlMappingNode>().ToDictionary(e => Str(e, "rid")!, e => Str(e, "os")!);
        Assert.Equal(new Dictionary<string, string>
        {
            ["linux-x64"] = "ubuntu-24.04",
            ["linux-arm64"] = "ubuntu-24.04-arm",
            ["osx-arm64"] = "macos-14",
            ["win-x64"] = "windows-latest",
        }, include);
        Assert.Equal("${{ matrix.rid }}", Str(build, "env", "RID"));
        // The pointer package every job writes names the four native packages the release publishes.
        Assert.Equal("linux-x64;linux-arm64;osx-arm64;win-x64", Str(build, "env", "KEYGUARD_TOOL_RIDS"));
        Assert.Equal("bash", Str(build, "defaults", "run", "shell"));   // Windows too: the scripts are bash
    }

    [Fact]
    public void Every_matrix_job_builds_with_the_release_script_and_smoke_tests_its_archive_and_tool_package()
    {
        var steps = Steps(Get(Load(), "jobs", "build"));
        string Run(string name) => Str(Assert.Single(steps, s => Str(s, "name") == name), "run")!;

        var build = Run("Build");
        Assert.Contains("bash deploy/release.sh artifacts/release \"$RID\"", build);

        var smoke = Assert.Single(steps, s => Str(s, "name") == "Smoke test");
        Assert.Null(Str(smoke, "if"));   // on every runner, not only some
        var script = Str(smoke, "run")!;
        Assert.Contains("bash deploy/release-smoke.sh \"${archives[0]}\"", script);
        Assert.Contains("bash deploy/release-smoke.sh --tool artifacts/release/nupkg", script);
        Assert.Contains("keyguard-*-\"$RID\".tar.gz", script);
        Assert.Contains("keyguard-*-\"$RID\".zip", script);

        // Smoke test before upload: an archive that fails it never becomes a release file.
        int IndexOf(Func<YamlMappingNode, bool> p) => steps.FindIndex(s => p(s));
        Assert.True(IndexOf(s => Str(s, "name") == "Smoke test") < IndexOf(s => Str(s, "uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true));
        Assert.Equal("artifacts/release/", Str(steps.Single(s => Str(s, "uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true), "with", "path"));

        // Inputs reach scripts through env, never ${{ }} inside run: (no injection), matrix values included.
        Assert.All(steps.Select(s => Str(s, "run")).OfType<string>(), run => Assert.DoesNotContain("${{", run));
    }

    [Fact]
    public void Permissions_are_read_only_except_the_tag_only_publish_job_which_checks_and_publishes_checksums()
    {
        var root = Load();
        var top = (YamlMappingNode)Get(root, "permissions");
        Assert.Equal("read", Str(top, "contents"));
        Assert.Single(top.Children);
        Assert.False(((YamlMappingNode)Get(root, "jobs", "build")).Children.ContainsKey(new YamlScalarNode("permissions")));

        var publish = Get(root, "jobs", "publish");
        Assert.Equal("build", Str(publish, "needs"));
        Assert.Equal("startsWith(github.ref, 'refs/tags/v')", Str(publish, "if"));
        var perms = (YamlMappingNode)Get(publish, "permissions");
        Assert.Equal("write", Str(perms, "contents"));
        Assert.Single(perms.Children);

        var scripts = string.Join('\n', Steps(publish).Select(s => Str(s, "run")).OfType<string>());
        Assert.Contains("sha256sum -c keyguard-*.sha256", scripts);    // each runner's checksum, after the transfer
        Assert.Contains("> SHA256SUMS", scripts);
        foreach (var rid in new[] { "linux-x64", "linux-arm64", "osx-arm64", "win-x64" }) Assert.Contains(rid, scripts);
        Assert.Contains("gh release create", scripts);
        Assert.Contains("out/*", scripts);
    }
}
