using System.CommandLine;
using System.Text.RegularExpressions;
using KeyGuard.Cli.Commands;
using YamlDotNet.RepresentationModel;

namespace KeyGuard.Tests.Ship;

/// <summary>
/// The deploy/ examples can be run as shipped (aws-e2e "Deploy files" and §4 manifest review): exit 0 on open findings,
/// a full image reference at the released version, a merge that waits for the scan, non-root pods with a read-only root
/// and somewhere writable for everything KeyGuard writes, `permissions:` in the workflow, and a workflow that installs
/// KeyGuard rather than building a KeyGuard repository. Each property is read from the parsed manifest; the merge's
/// wait is run in a real shell.
/// </summary>
public sealed class DeployRunnableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keyguard-deploy-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string Read(string relative) => File.ReadAllText(Path.Combine(ShipSupport.RepoRoot(), relative));

    private static List<YamlMappingNode> Documents(string relative)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Read(relative)));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlNode? Find(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is YamlSequenceNode seq && int.TryParse(key, out int i)) node = seq.Children[i];
            else if (node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child)) node = child;
            else return null;
        }
        return node;
    }

    private static string? Str(YamlNode node, params string[] path) => (Find(node, path) as YamlScalarNode)?.Value;

    private static List<YamlMappingNode> Seq(YamlNode node, params string[] path) =>
        (Find(node, path) as YamlSequenceNode)?.Children.Cast<YamlMappingNode>().ToList() ?? [];

    private static List<string> Strings(YamlNode node, params string[] path) =>
        (Find(node, path) as YamlSequenceNode)?.Children.Select(c => ((YamlScalarNode)c).Value!).ToList() ?? [];

    /// <summary>The version every deploy file must pin: the one the build stamps.</summary>
    private static string Version() => Regex.Match(Read("Directory.Build.props"), "<Version>([^<]+)</Version>").Groups[1].Value;

    private static IReadOnlyList<System.CommandLine.Parsing.ParseError> ParseErrors(IEnumerable<string> args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(OrgScanCommand.Create());
        root.Subcommands.Add(OrgMergeCommand.Create());
        return root.Parse(args.ToArray()).Errors;
    }

    private static List<YamlMappingNode> PodSpecs() => Documents("deploy/kubernetes/org-scan-cronjob.yaml")
        .Where(d => Str(d, "kind") == "CronJob")
        .Select(d => (YamlMappingNode)Find(d, "spec", "jobTemplate", "spec", "template", "spec")!)
        .ToList();

    [Fact]
    public void Kubernetes_pods_run_non_root_on_a_read_only_root_with_a_versioned_image_and_exit_0_on_open_findings()
    {
        var pods = PodSpecs();
        Assert.Equal(2, pods.Count);
        string version = Version();
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
        foreach (var pod in pods)
        {
            Assert.Equal("true", Str(pod, "securityContext", "runAsNonRoot"));
            Assert.NotEqual("0", Str(pod, "securityContext", "runAsUser"));
            Assert.Equal("RuntimeDefault", Str(pod, "securityContext", "seccompProfile", "type"));
            var writable = Seq(pod, "volumes").Select(v => Str(v, "name")).ToHashSet();
            var containers = Seq(pod, "initContainers").Concat(Seq(pod, "containers")).ToList();
            foreach (var container in containers)
            {
                string name = Str(container, "name")!;
                Assert.Equal("false", Str(container, "securityContext", "allowPrivilegeEscalation"));
                Assert.Equal("true", Str(container, "securityContext", "readOnlyRootFilesystem"));
                Assert.Equal(["ALL"], Strings(container, "securityContext", "capabilities", "drop"));
                // A registry host and the released version: never Docker Hub's library/keyguard, never :latest.
                Assert.Matches($@"^[a-z0-9.-]+\.[a-z]+(:\d+)?/[a-z0-9./-]+:{Regex.Escape(version)}$", Str(container, "image")!);
                var mounts = Seq(container, "volumeMounts");
                Assert.All(mounts, m => Assert.Contains(Str(m, "name"), writable));

                var args = Strings(container, "args");
                if (args.Count == 0) continue;
                // Open findings are the normal state: they must not fail (and retry) the Job.
                Assert.True(args.IndexOf("--findings-exit-code") is >= 0 and var at && args[at + 1] == "0", $"{name}: {string.Join(' ', args)}");
                Assert.Empty(ParseErrors(args.Select(a => a.Replace("$(JOB_COMPLETION_INDEX)", "0"))));
                // With a read-only root, everything KeyGuard writes is on a writable mount.
                foreach (var option in new[] { "--cache", "--state", "--out" })
                {
                    int i = args.IndexOf(option);
                    if (i < 0) continue;
                    Assert.Contains(mounts, m => args[i + 1].StartsWith(Str(m, "mountPath")! + "/", StringComparison.Ordinal) && Str(m, "readOnly") != "true");
                }
                Assert.Contains(mounts, m => Str(m, "mountPath") == "/tmp");
            }
        }
    }

    /// <summary>The merge pod's init container, run in a real shell with /data in a temp folder.</summary>
    private ShipSupport.Result RunWait(int seconds)
    {
        var merge = PodSpecs().Single(p => Strings(p, "containers", "0", "args").FirstOrDefault() == "org-merge");
        var wait = Seq(merge, "initContainers").Single();
        var command = Strings(wait, "command");
        Assert.Equal(["/bin/sh", "-c"], command.Take(2));
        var script = command[2].Replace("/data/", _dir + "/data/");
        return ShipSupport.Run("timeout", [seconds.ToString(), "/bin/sh", "-c", script], _dir, timeoutSeconds: seconds + 30);
    }

    private void Touch(string relative, DateTime when)
    {
        var path = Path.Combine(_dir, "data", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "{}");
        File.SetLastWriteTimeUtc(path, when);
    }

    [Fact]
    public void Kubernetes_merge_waits_until_every_shard_finished_tonights_run()
    {
        var scanCommand = string.Join(' ', Strings(PodSpecs().Single(p => Strings(p, "containers", "0", "args").FirstOrDefault() == "org-scan"), "containers", "0", "command"));
        Assert.Contains("touch /data/out/.run-started", scanCommand);   // the scan marks the run the merge waits for
        int shards = int.Parse(Str(Documents("deploy/kubernetes/org-scan-cronjob.yaml").First(d => Str(d, "kind") == "CronJob"), "spec", "jobTemplate", "spec", "completions")!);

        var now = DateTime.UtcNow;
        Touch("out/.run-started", now.AddMinutes(-30));
        for (int s = 0; s < shards; s++) Touch($"out/shard-{s}/summary.json", now.AddHours(-24));   // last night's
        Assert.Equal(124, RunWait(3).ExitCode);   // still waiting when timeout stops it

        for (int s = 0; s < shards - 1; s++) Touch($"out/shard-{s}/summary.json", now.AddMinutes(-1));
        Assert.Equal(124, RunWait(3).ExitCode);   // one shard is still running

        Touch($"out/shard-{shards - 1}/summary.json", now);
        var done = RunWait(20);
        Assert.True(done.ExitCode == 0, done.ToString());
    }

    [Fact]
    public void GitHub_workflow_has_read_only_permissions_installs_a_pinned_keyguard_and_merges_after_the_scan()
    {
        var wf = Documents("deploy/github/org-scan.yml").Single();
        var jobs = (YamlMappingNode)Find(wf, "jobs")!;

        // Least privilege: read the workflow's own repository, nothing else, in every job.
        var permissions = (YamlMappingNode)Find(wf, "permissions")!;
        Assert.Equal(["contents"], permissions.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.Equal("read", Str(wf, "permissions", "contents"));
        foreach (var (_, job) in jobs.Children)
            if (Find(job, "permissions") is YamlMappingNode jobPermissions)
                Assert.DoesNotContain(jobPermissions.Children.Values, v => ((YamlScalarNode)v).Value == "write");

        // Installed, not built: no checkout of another repository, no dotnet build/publish/pack, and a pinned tool install
        // of the package this repository makes.
        string packageId = Regex.Match(Read("src/KeyGuard.Cli/KeyGuard.Cli.csproj"), "<PackageId>([^<]+)</PackageId>").Groups[1].Value;
        Assert.Equal(Version(), Str(wf, "env", "KEYGUARD_VERSION"));
        foreach (var (jobName, job) in jobs.Children)
        {
            var steps = Seq(job, "steps");
            Assert.DoesNotContain(steps, s => Str(s, "uses")?.StartsWith("actions/checkout", StringComparison.Ordinal) == true && Find(s, "with", "repository") is not null);
            Assert.DoesNotContain(steps, s => Regex.IsMatch(Str(s, "run") ?? "", @"dotnet (build|publish|pack)\b"));
            int install = steps.FindIndex(s => Str(s, "run")?.StartsWith("dotnet tool install ", StringComparison.Ordinal) == true);
            Assert.True(install >= 0, $"{jobName}: no install step");
            var tokens = Str(steps[install], "run")!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(packageId, tokens[3]);
            Assert.Equal("\"$KEYGUARD_VERSION\"", tokens[Array.IndexOf(tokens, "--version") + 1]);
            Assert.Equal("bin", tokens[Array.IndexOf(tokens, "--tool-path") + 1]);
            int uses = steps.FindIndex(s => Str(s, "run")?.Contains("./bin/keyguard ", StringComparison.Ordinal) == true);
            Assert.True(uses > install, $"{jobName}: keyguard runs before it is installed");
            Assert.DoesNotContain(steps, s => Regex.IsMatch(Str(s, "run") ?? "", @"(?<!\./bin/)\bkeyguard (org-|scan)"));
        }

        // The merge is the last job of the same run, after every shard (also after failed ones: if: always()).
        Assert.Equal("scan", Str(wf, "jobs", "merge", "needs"));
        Assert.Equal("always()", Str(wf, "jobs", "merge", "if"));
    }
}
