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
        var r = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(secret: "x" + bed.Keys.Operator.SecretAccessKey[1..]),
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
        Assert.Single(bed.Server.Log.Entries.Where(e => e.Action == "UpdateAccessKey"));
    }
}
