using System.Text.Json;
using KeyGuard.Tests.Scan;
using KeyGuard.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace KeyGuard.Tests.Ship;

/// <summary>
/// The CI kit: the composite GitHub Action (action.yml) and the GitLab CI template. No GitHub or GitLab runner here,
/// so each file is parsed for the structure its platform needs, and the scripts of the scan steps are run for real with
/// bash against a repository with a clean commit and a commit that adds a generated key, with the environment the
/// platform would give them and the built keyguard on PATH.
/// </summary>
public sealed class CiKitTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _repo;
    private readonly string _bin;
    private readonly string _base;
    private readonly string _head;
    private readonly string _secret;

    public CiKitTests()
    {
        _repo = Path.Combine(_dir.Path, "repo");
        Directory.CreateDirectory(_repo);
        _bin = Path.Combine(_dir.Path, "bin");
        Directory.CreateDirectory(_bin);
        var wrapper = Path.Combine(_bin, "keyguard");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{KeyGuardProcess.DllPath}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Git("init", "-q");
        File.WriteAllText(Path.Combine(_repo, "README.md"), "# app\n");
        Git("add", "-A");
        Git("commit", "-q", "-m", "base");
        _base = Git("rev-parse", "HEAD");
        var fake = new FakeCredentials(515);
        _secret = fake.Secret();
        File.WriteAllText(Path.Combine(_repo, "settings.py"), $"aws_access_key_id = \"{fake.KeyId()}\"\naws_secret_access_key = \"{_secret}\"\n");
        Git("add", "-A");
        Git("commit", "-q", "-m", "leak");
        _head = Git("rev-parse", "HEAD");
    }

    public void Dispose() => _dir.Dispose();

    private string Git(params string[] args)
    {
        var r = ShipSupport.Run("git", ["-c", "user.name=t", "-c", "user.email=t@t.invalid", .. args], _repo);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout.Trim();
    }

    private static YamlMappingNode Load(string relative)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(ShipSupport.RepoRoot(), relative))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode Get(YamlNode node, params string[] path)
    {
        foreach (var key in path)
            node = node is YamlSequenceNode seq && int.TryParse(key, out int i) ? seq.Children[i] : ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        return node;
    }

    private static string Str(YamlNode node, params string[] path) => ((YamlScalarNode)Get(node, path)).Value!;

    private ShipSupport.Result Bash(string script, string cwd, Dictionary<string, string?> env)
    {
        env["PATH"] = _bin + ":" + Environment.GetEnvironmentVariable("PATH");
        return ShipSupport.Run("bash", ["-c", script], cwd, env, timeoutSeconds: 300);
    }

    // ---- GitHub Action ----

    private static YamlMappingNode ActionStep(YamlMappingNode action, string idOrName) =>
        ((YamlSequenceNode)Get(action, "runs", "steps")).Children.Cast<YamlMappingNode>().Single(s =>
            (s.Children.TryGetValue(new YamlScalarNode("id"), out var id) && ((YamlScalarNode)id).Value == idOrName) ||
            (s.Children.TryGetValue(new YamlScalarNode("name"), out var n) && ((YamlScalarNode)n).Value == idOrName));

    private (ShipSupport.Result Run, Dictionary<string, string> Outputs, string Summary) RunActionScan(Dictionary<string, string?> kg)
    {
        var action = Load("action.yml");
        var step = ActionStep(action, "scan");
        var temp = Path.Combine(_dir.Path, "runner-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(temp);
        var env = new Dictionary<string, string?>(kg)
        {
            ["RUNNER_TEMP"] = temp,
            ["GITHUB_OUTPUT"] = Path.Combine(temp, "output"),
            ["GITHUB_STEP_SUMMARY"] = Path.Combine(temp, "summary"),
        };
        foreach (var k in new[] { "KG_PATH", "KG_MODE", "KG_RANGE", "KG_ARGS", "KG_EVENT", "KG_BASE", "KG_HEAD", "KG_BEFORE", "KG_AFTER" })
            env.TryAdd(k, k switch { "KG_PATH" => _repo, "KG_MODE" => "auto", _ => "" });
        var run = Bash(Str(step, "run"), _dir.Path, env);
        var outputs = File.Exists(env["GITHUB_OUTPUT"]!)
            ? File.ReadAllLines(env["GITHUB_OUTPUT"]!).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1])
            : new Dictionary<string, string>();
        var summary = File.Exists(env["GITHUB_STEP_SUMMARY"]!) ? File.ReadAllText(env["GITHUB_STEP_SUMMARY"]!) : "";
        return (run, outputs, summary);
    }

    [Fact]
    public void Action_is_a_composite_that_installs_the_tool_scans_uploads_sarif_and_fails_on_findings()
    {
        var action = Load("action.yml");
        Assert.Equal("composite", Str(action, "runs", "using"));
        var text = File.ReadAllText(Path.Combine(ShipSupport.RepoRoot(), "action.yml"));
        Assert.Contains("fetch-depth: 0", text);

        var install = Str(ActionStep(action, "Install KeyGuard"), "run");
        Assert.Contains("dotnet pack \"$GITHUB_ACTION_PATH/KeyGuard.sln\"", install);
        Assert.Contains("dotnet tool install --tool-path", install);
        Assert.Contains("$GITHUB_PATH", install);

        var scan = ActionStep(action, "scan");
        Assert.Equal("${{ github.event.pull_request.base.sha }}", Str(scan, "env", "KG_BASE"));
        Assert.Equal("${{ github.event.pull_request.head.sha }}", Str(scan, "env", "KG_HEAD"));
        Assert.Equal("${{ github.event.before }}", Str(scan, "env", "KG_BEFORE"));
        Assert.DoesNotContain("${{", Str(scan, "run")); // inputs reach the script only through env (no injection)

        var upload = ActionStep(action, "Upload SARIF");
        Assert.StartsWith("github/codeql-action/upload-sarif@", Str(upload, "uses"));
        Assert.Equal("${{ steps.scan.outputs.sarif-file }}", Str(upload, "with", "sarif_file"));
        Assert.Contains("always()", Str(upload, "if"));

        var result = Str(ActionStep(action, "Result"), "run");
        Assert.Equal(1, Bash(result, _dir.Path, new() { ["KG_CODE"] = "1", ["KG_FAIL"] = "true" }).ExitCode);
        Assert.Equal(0, Bash(result, _dir.Path, new() { ["KG_CODE"] = "1", ["KG_FAIL"] = "false" }).ExitCode);
        Assert.Equal(0, Bash(result, _dir.Path, new() { ["KG_CODE"] = "0", ["KG_FAIL"] = "true" }).ExitCode);
        Assert.Equal(3, Bash(result, _dir.Path, new() { ["KG_CODE"] = "3", ["KG_FAIL"] = "true" }).ExitCode);
    }

    [Fact]
    public void Action_scan_of_a_pull_request_range_annotates_writes_sarif_and_a_summary()
    {
        var (run, outputs, summary) = RunActionScan(new() { ["KG_EVENT"] = "pull_request", ["KG_BASE"] = _base, ["KG_HEAD"] = _head });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("::error file=settings.py,line=1", run.Stdout);
        Assert.Equal("1", outputs["exit-code"]);
        Assert.Equal("2", outputs["findings"]);
        using (var sarif = JsonDocument.Parse(File.ReadAllText(outputs["sarif-file"])))
            Assert.Equal(_head, sarif.RootElement.GetProperty("runs")[0].GetProperty("results")[0].GetProperty("properties").GetProperty("commit").GetString());
        Assert.Contains("**2 finding(s)** in commits " + _base + ".." + _head, summary);
        Assert.Contains("| aws-access-key-id | `settings.py` | 1 |", summary);
        Assert.DoesNotContain(_secret, run.Stdout + run.Stderr + summary);
    }

    [Fact]
    public void Action_scan_of_a_clean_range_passes_and_a_missing_base_asks_for_fetch_depth_0()
    {
        var clean = RunActionScan(new() { ["KG_EVENT"] = "push", ["KG_BEFORE"] = _base, ["KG_AFTER"] = _base });
        Assert.True(clean.Run.ExitCode == 0, clean.Run.ToString());
        Assert.Equal("0", clean.Outputs["exit-code"]);
        Assert.Contains("No AWS credentials found", clean.Summary);

        var shallow = RunActionScan(new() { ["KG_EVENT"] = "pull_request", ["KG_BASE"] = new string('a', 40), ["KG_HEAD"] = _head });
        Assert.Equal(2, shallow.Run.ExitCode);
        Assert.Contains("fetch-depth: 0", shallow.Run.Stdout);

        // No range (a scheduled run, or a new branch's first push): the working tree, which has the key.
        var tree = RunActionScan(new() { ["KG_EVENT"] = "push", ["KG_BEFORE"] = new string('0', 40), ["KG_AFTER"] = _head });
        Assert.Equal("1", tree.Outputs["exit-code"]);
        Assert.Contains("the working tree", tree.Summary);
    }

    // ---- GitLab CI template ----

    [Fact]
    public void GitLab_template_reports_secret_detection_and_junit_and_scans_the_merge_request_range()
    {
        var job = (YamlMappingNode)Get(Load("deploy/gitlab/keyguard.gitlab-ci.yml"), "keyguard");
        Assert.Equal("0", Str(job, "variables", "GIT_DEPTH"));
        Assert.Equal("gl-secret-detection-report.json", Str(job, "artifacts", "reports", "secret_detection"));
        Assert.Equal("keyguard-junit.xml", Str(job, "artifacts", "reports", "junit"));
        Assert.Equal("always", Str(job, "artifacts", "when"));
        var install = Str(job, "before_script", "0");
        Assert.Contains("dotnet tool install --tool-path", install);
        var script = Str(job, "script", "0");

        var env = new Dictionary<string, string?>
        {
            ["CI_MERGE_REQUEST_DIFF_BASE_SHA"] = _base, ["CI_COMMIT_SHA"] = _head,
            ["KEYGUARD_PATH"] = ".", ["KEYGUARD_ARGS"] = "",
        };
        var mr = Bash(script, _repo, env);
        Assert.True(mr.ExitCode == 1, mr.ToString());
        var report = File.ReadAllText(Path.Combine(_repo, "gl-secret-detection-report.json"));
        Assert.DoesNotContain(_secret, report);
        using (var doc = JsonDocument.Parse(report))
        {
            GitLabReportTests.CheckRequiredFields(doc.RootElement, 2);
            Assert.Equal(_head, doc.RootElement.GetProperty("vulnerabilities")[0].GetProperty("location").GetProperty("commit").GetProperty("sha").GetString());
        }
        Assert.Contains("<failure", File.ReadAllText(Path.Combine(_repo, "keyguard-junit.xml")));

        env["CI_MERGE_REQUEST_DIFF_BASE_SHA"] = _head; // a merge request that adds nothing
        Assert.Equal(0, Bash(script, _repo, env).ExitCode);

        env.Remove("CI_MERGE_REQUEST_DIFF_BASE_SHA"); // a branch push: before..after
        env["CI_COMMIT_BEFORE_SHA"] = _base;
        Assert.Equal(1, Bash(script, _repo, env).ExitCode);
        env["CI_COMMIT_BEFORE_SHA"] = _head;
        Assert.Equal(0, Bash(script, _repo, env).ExitCode);
    }

    /// <summary>
    /// The template's install step with a stand-in <c>dotnet</c> that records its arguments (a real pack is a minute;
    /// ToolPackageTests does one): where each variable makes it get keyguard from, with no URL to write.
    /// </summary>
    private (ShipSupport.Result Run, string DotnetLog) RunGitLabInstall(Dictionary<string, string?> vars, bool keyguardOnPath = false)
    {
        var job = (YamlMappingNode)Get(Load("deploy/gitlab/keyguard.gitlab-ci.yml"), "keyguard");
        var fake = Path.Combine(_dir.Path, "fake-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(fake);
        var log = Path.Combine(fake, "dotnet.log");
        var dotnet = Path.Combine(fake, "dotnet");
        File.WriteAllText(dotnet, $$"""
            #!/bin/sh
            echo "$*" >> '{{log}}'
            case "$1 $2" in
              "pack "*) [ -f "$2" ] || { echo "no $2" >&2; exit 1; } ;;
              "tool install") while [ $# -gt 0 ]; do [ "$1" = --tool-path ] && tools=$2; shift; done
                mkdir -p "$tools" && printf '#!/bin/sh\necho 0.0.0\n' > "$tools/keyguard" && chmod +x "$tools/keyguard" ;;
            esac
            """);
        File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var env = new Dictionary<string, string?>
        {
            ["KEYGUARD_SOURCE"] = "", ["KEYGUARD_REPO"] = "", ["KEYGUARD_PROJECT"] = "", ["KEYGUARD_REF"] = "main",
            ["KEYGUARD_VERSION"] = "", ["CI_PROJECT_DIR"] = _repo, ["CI_SERVER_URL"] = "", ["CI_JOB_TOKEN"] = "job-token",
            ["PATH"] = fake + ":" + (keyguardOnPath ? _bin + ":" : "") + "/usr/local/bin:/usr/bin:/bin",
        };
        foreach (var (k, v) in vars) env[k] = v;
        var run = ShipSupport.Run("bash", ["-c", Str(job, "before_script", "0") + "\necho \"keyguard=$(command -v keyguard)\""], _repo, env);
        return (run, File.Exists(log) ? File.ReadAllText(log) : "");
    }

    [Fact]
    public void GitLab_template_builds_keyguard_from_a_project_path_on_the_same_server_with_no_url_to_write()
    {
        // A "GitLab" whose projects are bare repositories under CI_SERVER_URL, as https://host/group/name.git would be.
        var server = Path.Combine(_dir.Path, "server");
        var keyguardSrc = Path.Combine(_dir.Path, "keyguard-src");
        Directory.CreateDirectory(keyguardSrc);
        File.WriteAllText(Path.Combine(keyguardSrc, "KeyGuard.sln"), "");
        foreach (var args in new[] { new[] { "init", "-q", "-b", "main" }, ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "src"] })
            Assert.Equal(0, ShipSupport.Run("git", args, keyguardSrc).ExitCode);
        Directory.CreateDirectory(Path.Combine(server, "tools"));
        Assert.Equal(0, ShipSupport.Run("git", ["clone", "-q", "--bare", keyguardSrc, Path.Combine(server, "tools", "keyguard.git")], _dir.Path).ExitCode);

        var (run, log) = RunGitLabInstall(new() { ["KEYGUARD_PROJECT"] = "tools/keyguard", ["CI_SERVER_URL"] = "file://" + server });
        Assert.True(run.ExitCode == 0, run + "\n--- dotnet\n" + log);
        Assert.Matches(@"pack \S+/src/KeyGuard\.sln", log);
        Assert.Matches(@"tool install --tool-path \S+ --source \S+/feed KeyGuard", log);
        var keyguard = run.Stdout.Trim().Split('\n')[^1]["keyguard=".Length..];
        Assert.StartsWith(Path.GetTempPath().TrimEnd('/'), keyguard);   // outside the checkout a tree scan reads
        Assert.DoesNotContain(_repo, keyguard);
        Assert.DoesNotContain("job-token", run.Stdout + run.Stderr);
    }

    [Fact]
    public void GitLab_template_installs_only_from_the_named_feed_uses_an_installed_keyguard_or_says_what_to_set()
    {
        var feed = Path.Combine(_dir.Path, "feed");
        var (fromFeed, log) = RunGitLabInstall(new() { ["KEYGUARD_SOURCE"] = feed, ["KEYGUARD_VERSION"] = "0.1.0" });
        Assert.True(fromFeed.ExitCode == 0, fromFeed.ToString());
        Assert.Contains($"--source {feed} --version 0.1.0 KeyGuard", log);
        Assert.DoesNotContain("--add-source", log);   // another feed's same-named package must not stand in

        var (installed, calls) = RunGitLabInstall(new(), keyguardOnPath: true);
        Assert.True(installed.ExitCode == 0, installed.ToString());
        Assert.Contains("keyguard: using " + Path.Combine(_bin, "keyguard"), installed.Stdout);
        Assert.DoesNotContain("pack", calls);            // (the keyguard wrapper here runs dotnet for --version)
        Assert.DoesNotContain("tool install", calls);

        var (nothing, _) = RunGitLabInstall(new());
        Assert.Equal(2, nothing.ExitCode);
        Assert.Contains("KEYGUARD_PROJECT", nothing.Stdout);
        Assert.Contains("Placeholders: where your copy of KeyGuard lives", nothing.Stdout);
    }
}
