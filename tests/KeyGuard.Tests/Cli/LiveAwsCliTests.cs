using System.Text.Json;
using KeyGuard.Tests.Aws;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Cli;

/// <summary>report, plan and apply as real processes against the IAM emulator over HTTP (SigV4 verified server-side).</summary>
public sealed class LiveAwsCliTests
{
    [Fact]
    public async Task Report_generates_polls_fetches_and_judges_the_live_credential_report()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var r = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "report", "--endpoint-url", bed.Server.Url.ToString(), "--format", "json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var root = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        var users = root.GetProperty("results").EnumerateArray().Select(x => x.GetProperty("user").GetString()).Distinct().ToList();
        Assert.Contains("alice", users);
        Assert.Contains(bed.Server.Log.Entries, e => e.Action == "GenerateCredentialReport");
        Assert.Contains(bed.Server.Log.Entries, e => e.Action == "GetCredentialReport");
        Assert.Contains(bed.Server.Log.Entries, e => e.Action == "GetAccountPasswordPolicy");
    }

    [Fact]
    public async Task Report_with_bad_operator_credentials_is_one_line_and_exit_4()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var r = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(secret: (bed.Keys.Operator.SecretAccessKey[0] == 'x' ? "y" : "x") + bed.Keys.Operator.SecretAccessKey[1..]),
            "report", "--endpoint-url", bed.Server.Url.ToString());
        Assert.Equal(4, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains("SignatureDoesNotMatch", r.Stderr);
    }

    [Fact]
    public async Task Plan_then_apply_deactivates_exactly_the_leaked_key_of_its_user_and_a_rerun_changes_nothing()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var leaked = bed.Keys.ActiveRecentlyUsed;
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={leaked.AccessKeyId}\nAWS_SECRET_ACCESS_KEY={leaked.SecretAccessKey}\n");
        var env = bed.OperatorEnvironment();
        var url = bed.Server.Url.ToString();

        var plan = KeyGuardProcess.Run(dir.Path, null, env, "plan", "app", "--endpoint-url", url, "--format", "json", "-o", "plan.json");
        Assert.True(plan.ExitCode == 0, plan.Stderr);
        var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "plan.json"))).RootElement;
        var p = doc.GetProperty("plans").EnumerateArray().Single();
        Assert.Equal(leaked.AccessKeyId, p.GetProperty("keyId").GetString());
        Assert.Equal("leaked-active", p.GetProperty("kind").GetString());
        Assert.Equal("alice", p.GetProperty("userName").GetString());
        var md = KeyGuardProcess.Run(dir.Path, null, env, "plan", "app", "--endpoint-url", url);
        Assert.Contains("# KeyGuard remediation plan", md.Stdout);
        Assert.DoesNotContain(leaked.SecretAccessKey, md.Stdout + md.Stderr + File.ReadAllText(Path.Combine(dir.Path, "plan.json")));

        // Without --yes: shown, nothing changed.
        int mutationsBefore = bed.Server.Log.Entries.Count(e => e.Action is "UpdateAccessKey" or "CreateAccessKey" or "DeleteAccessKey");
        var dry = KeyGuardProcess.Run(dir.Path, null, env, "apply", "plan.json", "--endpoint-url", url);
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("dry run", dry.Stdout);
        Assert.Equal(mutationsBefore, bed.Server.Log.Entries.Count(e => e.Action is "UpdateAccessKey" or "CreateAccessKey" or "DeleteAccessKey"));

        // With --yes, only deactivation: exactly the planned key of alice.
        var run = KeyGuardProcess.Run(dir.Path, null, env, "apply", "plan.json", "--endpoint-url", url, "--yes", "--only", "deactivate");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var updates = bed.Server.Log.Entries.Where(e => e.Action == "UpdateAccessKey").ToList();
        Assert.Single(updates);
        Assert.Equal("alice", updates[0].Parameter("UserName"));
        Assert.Equal("Inactive", updates[0].Parameter("Status"));
        var keys = await bed.Iam().ListAllAccessKeysAsync("alice");
        Assert.Equal(KeyGuard.Aws.AccessKeyStatus.Inactive, keys.Single(k => k.AccessKeyId == leaked.AccessKeyId).Status);
        var audit = File.ReadAllLines(Path.Combine(dir.Path, "keyguard-audit.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(("deactivate", "done", "alice", leaked.AccessKeyId),
            (audit[0].GetProperty("action").GetString(), audit[0].GetProperty("result").GetString(), audit[0].GetProperty("user").GetString(), audit[0].GetProperty("key").GetString()));

        var again = KeyGuardProcess.Run(dir.Path, null, env, "apply", "plan.json", "--endpoint-url", url, "--yes", "--only", "deactivate");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already Inactive", again.Stdout);
        Assert.Single(bed.Server.Log.Entries, e => e.Action == "UpdateAccessKey");
    }

    [Fact]
    public async Task Apply_failing_midway_stops_and_the_audit_log_says_what_was_and_was_not_done()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var leaked = bed.Keys.ActiveIdle;
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={leaked.AccessKeyId}\nAWS_SECRET_ACCESS_KEY={leaked.SecretAccessKey}\n");
        var env = bed.OperatorEnvironment();
        var url = bed.Server.Url.ToString();
        Assert.Equal(0, KeyGuardProcess.Run(dir.Path, null, env, "plan", "app", "--endpoint-url", url, "--format", "json", "-o", "plan.json").ExitCode);

        bed.Server.Faults.Inject("CreateAccessKey", KeyGuard.IamEmulator.FaultKind.AccessDenied);
        var run = KeyGuardProcess.Run(dir.Path, null, env, "apply", "plan.json", "--endpoint-url", url, "--yes", "--new-keys", "new-keys.jsonl");
        Assert.Equal(4, run.ExitCode);
        Assert.Contains("apply stopped: create", run.Stderr);
        Assert.Contains($"done: deactivate {leaked.AccessKeyId}, revoke-sessions {leaked.AccessKeyId}", run.Stderr);
        Assert.Contains($"not done: create {leaked.AccessKeyId}, delete {leaked.AccessKeyId}", run.Stderr);
        var audit = File.ReadAllLines(Path.Combine(dir.Path, "keyguard-audit.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["deactivate:done", "revoke-sessions:done", "create:failed"], audit.Select(a => $"{a.GetProperty("action").GetString()}:{a.GetProperty("result").GetString()}"));
        Assert.Contains("iam:CreateAccessKey", audit[2].GetProperty("detail").GetString());
        Assert.DoesNotContain(bed.Server.Log.Entries, e => e.Action == "DeleteAccessKey");
        var keys = await bed.Iam().ListAllAccessKeysAsync(leaked.User.UserName);
        Assert.Equal(KeyGuard.Aws.AccessKeyStatus.Inactive, keys.Single(k => k.AccessKeyId == leaked.AccessKeyId).Status);
        Assert.False(File.Exists(Path.Combine(dir.Path, "new-keys.jsonl")));
    }

    [Fact]
    public async Task Another_accounts_key_gets_a_notify_plan_and_apply_refuses_it()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var foreign = bed.Keys.OtherAccount;
        dir.Write("vendor.cfg", $"key={foreign.AccessKeyId}\n");
        var env = bed.OperatorEnvironment();
        var url = bed.Server.Url.ToString();
        var plan = KeyGuardProcess.Run(dir.Path, null, env, "plan", ".", "--endpoint-url", url, "--format", "json", "-o", "plan.json");
        Assert.True(plan.ExitCode == 0, plan.Stderr);
        var p = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "plan.json"))).RootElement.GetProperty("plans").EnumerateArray().Single();
        Assert.Equal("foreign", p.GetProperty("kind").GetString());
        Assert.Equal("notify", p.GetProperty("steps")[0].GetProperty("action").GetString());
        Assert.Contains("444455556666", p.GetProperty("steps")[0].GetProperty("title").GetString());
        var apply = KeyGuardProcess.Run(dir.Path, null, env, "apply", "plan.json", "--endpoint-url", url, "--yes");
        Assert.Equal(0, apply.ExitCode);
        Assert.Contains("nothing to apply", apply.Stdout);
        Assert.DoesNotContain(bed.Server.Log.Entries, e => e.Action is "UpdateAccessKey" or "CreateAccessKey" or "DeleteAccessKey");
    }

    [Fact]
    public async Task History_sweeps_are_verified_too()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var repo = LibGit2Sharp.Repository.Init(dir.Path);
        using (var r = new LibGit2Sharp.Repository(repo))
        {
            dir.Write("deploy.sh", $"export AWS_ACCESS_KEY_ID={bed.Keys.Inactive.AccessKeyId}\n");
            LibGit2Sharp.Commands.Stage(r, "deploy.sh");
            var sig = new LibGit2Sharp.Signature("dev", "dev@example.invalid", DateTimeOffset.UtcNow);
            r.Commit("add deploy script", sig, sig, new LibGit2Sharp.CommitOptions());
            File.Delete(Path.Combine(dir.Path, "deploy.sh"));
            LibGit2Sharp.Commands.Remove(r, "deploy.sh");
            r.Commit("remove it", sig, sig, new LibGit2Sharp.CommitOptions());
        }
        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "--history", "--verify", "--endpoint-url", bed.Server.Url.ToString(), "--format", "json");
        Assert.Equal(1, run.ExitCode);
        var f = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("findings").EnumerateArray().Single();
        Assert.Equal("inactive", f.GetProperty("aws").GetProperty("status").GetString());
        Assert.False(f.GetProperty("presentAtHead").GetBoolean());
    }

    [Fact]
    public async Task Org_scan_verify_names_each_exposed_keys_owner_in_its_plan()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var repoPath = Path.Combine(dir.Path, "service-a");
        LibGit2Sharp.Repository.Init(repoPath);
        using (var r = new LibGit2Sharp.Repository(repoPath))
        {
            File.WriteAllText(Path.Combine(repoPath, "config.env"), $"AWS_ACCESS_KEY_ID={bed.Keys.ActiveRecentlyUsed.AccessKeyId}\n");
            LibGit2Sharp.Commands.Stage(r, "config.env");
            var sig = new LibGit2Sharp.Signature("dev", "dev@example.invalid", DateTimeOffset.UtcNow.AddDays(-3));
            r.Commit("config", sig, sig, new LibGit2Sharp.CommitOptions());
        }
        dir.Write("repos.txt", repoPath + "\n");
        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "org-scan", "--repos", "repos.txt", "--cache", "cache",
            "--out", "out", "--verify", "--endpoint-url", bed.Server.Url.ToString(), "--no-progress");
        Assert.True(run.ExitCode == 1, run.Stderr);
        var plan = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "out", "plan.json"))).RootElement.GetProperty("plans").EnumerateArray().Single();
        Assert.Equal(bed.Keys.ActiveRecentlyUsed.AccessKeyId, plan.GetProperty("keyId").GetString());
        Assert.Equal("alice", plan.GetProperty("userName").GetString());
        Assert.Equal("leaked-active", plan.GetProperty("kind").GetString());
        Assert.Contains("alice", File.ReadAllText(Path.Combine(dir.Path, "out", "plan.md")));
    }

    [Fact]
    public async Task Plan_from_the_live_credential_report_covers_stale_and_root_keys()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        bed.OurAccount.RootAccessKeyCreated = DateTimeOffset.UtcNow.AddYears(-4);
        var report = await new KeyGuard.CredentialReport.CredentialReportFetcher(
            new KeyGuard.CredentialReport.IamCredentialReportApi(bed.Iam()), TimeProvider.System, (_, _) => Task.CompletedTask).FetchAsync();
        dir.Write("credential-report.csv", System.Text.Encoding.UTF8.GetString(report.Content));
        dir.Write("src/app.py", "print('no secrets here')\n");
        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "plan", "src", "--report", "credential-report.csv",
            "--endpoint-url", bed.Server.Url.ToString(), "--format", "json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var all = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("plans").EnumerateArray().ToList();
        var plans = all.ToDictionary(p => p.GetProperty("keyId").GetString()!, p => p.GetProperty("kind").GetString());
        Assert.Equal("root", plans["<root_account>/key1"]);
        // Report slots are matched to key IDs (iam:ListAccessKeys), so stale plans name the key and need no placeholder.
        Assert.Equal("stale-rotate", plans[bed.Keys.ActiveRecentlyUsed.AccessKeyId]);   // alice: 200 days old, used 3 days ago
        Assert.Equal("stale-unused", plans[bed.Keys.ActiveIdle.AccessKeyId]);           // deploy-bot: last used 120 days ago
        Assert.DoesNotContain(plans.Keys, k => k.StartsWith("old-intern"));              // inactive: nothing to do
        var idle = all.Single(p => p.GetProperty("keyId").GetString() == bed.Keys.ActiveIdle.AccessKeyId).GetProperty("steps").EnumerateArray().ToList();
        var deactivate = idle.Single(s => s.GetProperty("action").GetString() == "deactivate");
        Assert.True(deactivate.GetProperty("automatable").GetBoolean());
        Assert.Equal($"aws iam update-access-key --user-name deploy-bot --access-key-id {bed.Keys.ActiveIdle.AccessKeyId} --status Inactive", deactivate.GetProperty("cli").GetString());
        Assert.DoesNotContain("<", run.Stdout.Replace("<root_account>", ""));
    }
}
