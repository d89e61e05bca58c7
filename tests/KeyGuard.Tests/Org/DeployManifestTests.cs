using System.CommandLine;
using KeyGuard.Cli.Commands;
using KeyGuard.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace KeyGuard.Tests.Org;

/// <summary>
/// The examples in deploy/ are checked as far as this machine allows (no container engine, no cluster): they parse
/// as YAML with the structure Kubernetes and GitHub Actions need, and the keyguard command lines they run are real
/// ones — the Kubernetes shards and merge are run for real against temp repositories, the workflow's are parsed by
/// the CLI's own parser.
/// </summary>
public sealed class DeployManifestTests : IDisposable
{
    private readonly GitFixture _git = new(77);
    public void Dispose() => _git.Dispose();

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "KeyGuard.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("KeyGuard.sln not found above the test assembly");
    }

    private static List<YamlMappingNode> Documents(string relative)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepoRoot(), relative))));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlNode Get(YamlNode node, params string[] path)
    {
        foreach (var key in path)
            node = node is YamlSequenceNode seq && int.TryParse(key, out int i) ? seq.Children[i] : ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        return node;
    }

    private static string Str(YamlNode node, params string[] path) => ((YamlScalarNode)Get(node, path)).Value!;
    private static List<string> List(YamlNode node, params string[] path) => ((YamlSequenceNode)Get(node, path)).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

    private static IReadOnlyList<System.CommandLine.Parsing.ParseError> ParseErrors(IEnumerable<string> args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(OrgScanCommand.Create());
        root.Subcommands.Add(OrgMergeCommand.Create());
        return root.Parse(args.ToArray()).Errors;
    }

    [Fact]
    public void Kubernetes_cronjob_is_an_indexed_job_and_its_shard_and_merge_commands_run()
    {
        var docs = Documents("deploy/kubernetes/org-scan-cronjob.yaml");
        var pvc = docs.Single(d => Str(d, "kind") == "PersistentVolumeClaim");
        var jobs = docs.Where(d => Str(d, "kind") == "CronJob").ToList();
        var scan = jobs.Single(j => List(j, "spec", "jobTemplate", "spec", "template", "spec", "containers", "0", "args")[0] == "org-scan");
        var merge = jobs.Single(j => List(j, "spec", "jobTemplate", "spec", "template", "spec", "containers", "0", "args")[0] == "org-merge");
        Assert.Equal("batch/v1", Str(scan, "apiVersion"));
        Assert.Equal(5, Str(scan, "spec", "schedule").Split(' ').Length);
        var job = Get(scan, "spec", "jobTemplate", "spec");
        Assert.Equal("Indexed", Str(job, "completionMode"));
        int n = int.Parse(Str(job, "completions"));
        Assert.Equal(n, int.Parse(Str(job, "parallelism")));
        var args = List(job, "template", "spec", "containers", "0", "args");
        Assert.Equal($"$(JOB_COMPLETION_INDEX)/{n}", args[args.IndexOf("--shard") + 1]);
        Assert.Equal(Str(pvc, "metadata", "name"), Str(job, "template", "spec", "volumes", "0", "persistentVolumeClaim", "claimName"));
        var mergeArgs = List(merge, "spec", "jobTemplate", "spec", "template", "spec", "containers", "0", "args");
        Assert.Equal(n, mergeArgs.Count(a => a.StartsWith("/data/out/shard-", StringComparison.Ordinal)));

        // Runnable as shipped: findings are not failures, a qualified image, hardened pods, the merge waits for the run.
        foreach (var cron in jobs)
        {
            var pod = Get(cron, "spec", "jobTemplate", "spec", "template", "spec");
            Assert.Equal("true", Str(pod, "securityContext", "runAsNonRoot"));
            Assert.Equal("RuntimeDefault", Str(pod, "securityContext", "seccompProfile", "type"));
            var container = Get(pod, "containers", "0");
            var args2 = List(container, "args");
            Assert.Equal("0", args2[args2.IndexOf("--findings-exit-code") + 1]);
            var image = Str(container, "image");
            Assert.Matches(@"^[a-z0-9.-]+\.[a-z]+(:\d+)?/.+:\d+\.\d+\.\d+$", image);   // registry host and a version tag, not :latest
            Assert.Equal("false", Str(container, "securityContext", "allowPrivilegeEscalation"));
            Assert.Equal("true", Str(container, "securityContext", "readOnlyRootFilesystem"));
            Assert.Equal(["ALL"], List(container, "securityContext", "capabilities", "drop"));
        }
        var wait = Str(merge, "spec", "jobTemplate", "spec", "template", "spec", "initContainers", "0", "command", "2");
        Assert.Contains("summary.json -nt /data/out/.run-started", wait);
        Assert.Contains(".run-started", string.Join(' ', List(job, "template", "spec", "containers", "0", "command")));

        // Run every shard and the merge as the pods would, with /config and /data mapped into a temp folder.
        foreach (var name in new[] { "api", "web", "infra" }) _git.CommitSecret(_git.NewRepo(name), "deploy.env");
        File.WriteAllText(_git.Dir.Write("config/repos.txt", ""), $"{_git.Root}/api\n{_git.Root}/web\n{_git.Root}/infra\n");
        string Map(string a, int index) => a.Replace("/config/", _git.Root + "/config/").Replace("/data/", _git.Root + "/data/")
            .Replace("$(JOB_COMPLETION_INDEX)", index.ToString());
        for (int i = 0; i < n; i++)
        {
            var r = KeyGuardProcess.Run(_git.Root, null, args.Select(a => Map(a, i)).ToArray());
            Assert.True(r.ExitCode is 0 or 1, r.Stderr);
        }
        var m = KeyGuardProcess.Run(_git.Root, null, mergeArgs.Select(a => Map(a, 0)).ToArray());
        Assert.True(m.ExitCode == 0, m.Stderr);   // findings, but --findings-exit-code 0: the Job succeeds
        var summary = GitFixture.Summary(Path.Combine(_git.Root, "data/out/merged"));
        Assert.Equal(3, summary.GetProperty("totals").GetProperty("repositories").GetInt32());
        Assert.Equal(6, summary.GetProperty("totals").GetProperty("new").GetInt32());
    }

    [Fact]
    public void GitHub_workflow_is_a_scheduled_shard_matrix_then_a_merge_and_its_commands_parse()
    {
        var wf = Documents("deploy/github/org-scan.yml").Single();
        Assert.Equal(5, Str(wf, "on", "schedule", "0", "cron").Split(' ').Length);
        var shards = List(wf, "jobs", "scan", "strategy", "matrix", "shard").Select(int.Parse).ToList();
        int n = shards.Count;
        Assert.Equal(Enumerable.Range(0, n), shards);
        Assert.Equal("scan", Str(wf, "jobs", "merge", "needs"));
        Assert.Equal("read", Str(wf, "permissions", "contents"));
        Assert.DoesNotContain("dotnet publish src/", File.ReadAllText(Path.Combine(RepoRoot(), "deploy/github/org-scan.yml")));   // not only inside a copy of KeyGuard

        var runs = new List<string>();
        foreach (var jobName in new[] { "scan", "merge" })
            foreach (var step in ((YamlSequenceNode)Get(wf, "jobs", jobName, "steps")).Children.Cast<YamlMappingNode>())
                if (step.Children.TryGetValue(new YamlScalarNode("run"), out var run) && ((YamlScalarNode)run).Value!.Contains("keyguard org-"))
                    runs.Add(((YamlScalarNode)run).Value!);
        Assert.Equal(2, runs.Count);
        var scanLine = runs.Single(r => r.Contains("org-scan"));
        Assert.Contains($"--shard ${{{{ matrix.shard }}}}/{n}", scanLine);
        var mergeLine = runs.Single(r => r.Contains("org-merge"));
        Assert.All(Enumerable.Range(0, n), i => Assert.Contains($"shards/shard-{i}", mergeLine));
        foreach (var line in runs)
        {
            var tokens = line[(line.IndexOf("keyguard ", StringComparison.Ordinal) + "keyguard ".Length)..].Trim()
                .Replace("${{ matrix.shard }}", "1").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Empty(ParseErrors(tokens));
        }
        Assert.NotEmpty(ParseErrors(["org-scan", "--no-such-option"])); // the check can fail
        // The job summary is the merge's step-summary.md (cut by risk under 1 MiB), not a byte cut of summary.md.
        var published = ((YamlSequenceNode)Get(wf, "jobs", "merge", "steps")).Children.Cast<YamlMappingNode>()
            .Select(step => step.Children.TryGetValue(new YamlScalarNode("run"), out var run) ? ((YamlScalarNode)run).Value! : "")
            .Single(run => run.Contains("GITHUB_STEP_SUMMARY"));
        Assert.Equal("cat merged/step-summary.md >> \"$GITHUB_STEP_SUMMARY\"", published.Trim());
    }

    [Fact]
    public void Dockerfile_builds_the_native_aot_binary_of_the_cli()
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot(), "deploy/Dockerfile"));
        Assert.Contains("dotnet publish src/KeyGuard.Cli -c Release -r \"$rid\" -p:PublishAot=true", text); // rid from TARGETARCH (DockerfileTests)
        Assert.Contains("clang", text);
        Assert.Contains("zlib1g-dev", text);
        Assert.Contains("ENTRYPOINT [\"/usr/local/bin/keyguard\"]", text);
        Assert.True(File.Exists(Path.Combine(RepoRoot(), "src/KeyGuard.Cli/KeyGuard.Cli.csproj")));
    }
}
