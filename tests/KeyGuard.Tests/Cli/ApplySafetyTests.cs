using System.Text.Json;
using KeyGuard.Aws;
using KeyGuard.IamEmulator;
using KeyGuard.Tests.Aws;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Cli;

/// <summary>
/// apply under an ambiguous CreateAccessKey (reliability B5, case 3.34), with the operator's own key among the leaks
/// (B14, case 3.35) and with a shared --new-keys file (B18, case 3.38); real processes against the emulator.
/// </summary>
public sealed class ApplySafetyTests
{
    private static List<JsonElement> Audit(TempDir dir) =>
        File.ReadAllLines(Path.Combine(dir.Path, "audit.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static void Plan(EmulatorTestBed bed, TempDir dir, params EmulatedKey[] leaked)
    {
        dir.Write("app/.env", string.Concat(leaked.Select((k, i) => $"KEY{i}_AWS_ACCESS_KEY_ID={k.AccessKeyId}\n")));
        var plan = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "plan", "app", "--endpoint-url", bed.Server.Url.ToString(), "--format", "json", "-o", "plan.json");
        Assert.True(plan.ExitCode == 0, plan.Stderr);
    }

    [Fact]
    public async Task A_create_whose_answer_is_lost_is_not_retried_and_the_key_it_made_is_in_the_audit_log()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var leaked = bed.Keys.ActiveIdle;
        var user = leaked.User.UserName;
        Plan(bed, dir, leaked);
        // IAM creates the key, then the connection drops before the answer arrives (the review's proxy.py).
        bed.Server.Faults.Inject("CreateAccessKey", FaultKind.ResponseLost, times: 1);

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "apply", "plan.json", "--endpoint-url", bed.Server.Url.ToString(),
            "--yes", "--new-keys", "new-keys.jsonl", "--audit-log", "audit.jsonl");

        Assert.True(run.ExitCode == 4, run.Stdout + run.Stderr);
        Assert.Single(bed.Server.Log.Of("CreateAccessKey"));
        var orphan = (await bed.Iam().ListAllAccessKeysAsync(user)).Select(k => k.AccessKeyId).Single(id => id != leaked.AccessKeyId);
        var create = Audit(dir).Single(a => a.GetProperty("action").GetString() == "create");
        Assert.Equal("unknown-outcome", create.GetProperty("result").GetString());
        Assert.Equal([orphan], create.GetProperty("unknownKeys").EnumerateArray().Select(k => k.GetString()));
        Assert.Contains($"aws iam delete-access-key --user-name {user} --access-key-id {orphan}", create.GetProperty("detail").GetString());
        Assert.Contains(orphan, run.Stderr);
        Assert.DoesNotContain(bed.Server.Log.Entries, e => e.Action == "DeleteAccessKey"); // stopped there
    }

    [Fact]
    public async Task A_create_refused_by_iam_is_an_ordinary_failure_and_not_retried()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        Plan(bed, dir, bed.Keys.ActiveIdle);
        bed.Server.Faults.Inject("CreateAccessKey", FaultKind.ServiceFailure, times: 1);

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "apply", "plan.json", "--endpoint-url", bed.Server.Url.ToString(),
            "--yes", "--new-keys", "new-keys.jsonl", "--audit-log", "audit.jsonl");

        Assert.Equal(4, run.ExitCode);
        Assert.Single(bed.Server.Log.Of("CreateAccessKey"));
        Assert.Equal("failed", Audit(dir).Single(a => a.GetProperty("action").GetString() == "create").GetProperty("result").GetString());
        Assert.Single(await bed.Iam().ListAllAccessKeysAsync(bed.Keys.ActiveIdle.User.UserName)); // nothing was created
    }

    [Fact]
    public async Task The_operators_own_key_is_flagged_in_the_plan_and_apply_refuses_to_deactivate_it()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var own = bed.Keys.Operator;
        var other = bed.Keys.ActiveRecentlyUsed;
        dir.Write("app/.env", $"A_AWS_ACCESS_KEY_ID={own.AccessKeyId}\nB_AWS_ACCESS_KEY_ID={other.AccessKeyId}\n");
        var plan = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "plan", "app", "--endpoint-url", bed.Server.Url.ToString(), "--format", "json", "-o", "plan.json");
        Assert.True(plan.ExitCode == 0, plan.Stderr);
        Assert.Contains($"{own.AccessKeyId} is the key KeyGuard is signing with", plan.Stderr);
        var plans = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "plan.json"))).RootElement.GetProperty("plans").EnumerateArray().ToList();
        Assert.Contains("signing with", plans.Single(p => p.GetProperty("keyId").GetString() == own.AccessKeyId).GetProperty("alert").GetString());

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "apply", "plan.json", "--endpoint-url", bed.Server.Url.ToString(),
            "--yes", "--only", "deactivate", "--audit-log", "audit.jsonl");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal(AccessKeyStatus.Active, (await bed.Iam().ListAllAccessKeysAsync(own.User.UserName)).Single().Status);
        Assert.Equal(AccessKeyStatus.Inactive, (await bed.Iam().ListAllAccessKeysAsync(other.User.UserName)).Single(k => k.AccessKeyId == other.AccessKeyId).Status);
        var refused = Audit(dir).Single(a => a.GetProperty("key").GetString() == own.AccessKeyId);
        Assert.Equal("refused", refused.GetProperty("result").GetString());
        Assert.DoesNotContain(bed.Server.Log.Entries, e => e.Action == "UpdateAccessKey" && e.Parameter("AccessKeyId") == own.AccessKeyId);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "644")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "640")]
    public async Task An_existing_new_keys_file_open_to_others_is_refused_before_any_change(UnixFileMode mode, string octal)
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        Plan(bed, dir, bed.Keys.ActiveIdle);
        var file = dir.Write("nk.txt", "");
        File.SetUnixFileMode(file, mode);

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "apply", "plan.json", "--endpoint-url", bed.Server.Url.ToString(),
            "--yes", "--new-keys", "nk.txt", "--audit-log", "audit.jsonl");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"keyguard: --new-keys: nk.txt is open to its group or others (mode {octal}); chmod 600 it or name a new file", run.Stderr.Trim());
        Assert.DoesNotContain(bed.Server.Log.Entries, e => e.Action is "UpdateAccessKey" or "CreateAccessKey" or "DeleteAccessKey");
        Assert.Equal("", File.ReadAllText(file));
    }

    [Fact]
    public async Task An_existing_private_new_keys_file_receives_the_new_secret()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        Plan(bed, dir, bed.Keys.ActiveIdle);
        var file = dir.Write("nk.txt", "");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "apply", "plan.json", "--endpoint-url", bed.Server.Url.ToString(),
            "--yes", "--only", "create", "--new-keys", "nk.txt", "--audit-log", "audit.jsonl");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("secretAccessKey", File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task After_a_lost_create_answer_reruns_here_or_elsewhere_never_create_a_second_key()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var leaked = bed.Keys.ActiveIdle;
        var user = leaked.User.UserName;
        Plan(bed, dir, leaked);
        bed.Server.Faults.Inject("CreateAccessKey", FaultKind.ResponseLost, times: 1);
        string[] Apply(string audit) => ["apply", "plan.json", "--endpoint-url", bed.Server.Url.ToString(), "--yes", "--new-keys", "new-keys.jsonl", "--audit-log", audit];
        var first = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), Apply("audit.jsonl"));
        Assert.Equal(4, first.ExitCode);
        var orphan = (await bed.Iam().ListAllAccessKeysAsync(user)).Select(k => k.AccessKeyId).Single(id => id != leaked.AccessKeyId);

        var rerun = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), Apply("audit.jsonl"));
        var elsewhere = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), Apply("other-machine-audit.jsonl"));

        Assert.Single(bed.Server.Log.Of("CreateAccessKey"));
        Assert.Equal(2, (await bed.Iam().ListAllAccessKeysAsync(user)).Count);
        var again = Audit(dir).Last(a => a.GetProperty("action").GetString() == "create");
        Assert.Equal("refused", again.GetProperty("result").GetString());
        Assert.Contains($"aws iam delete-access-key --user-name {user} --access-key-id {orphan}", again.GetProperty("detail").GetString());
        Assert.Contains($"skipped  create     {leaked.AccessKeyId}  {user} already has {orphan}", elsewhere.Stdout);
        Assert.True(rerun.ExitCode == 0 && elsewhere.ExitCode == 0, rerun.Stdout + rerun.Stderr + elsewhere.Stdout + elsewhere.Stderr);
    }

    [Fact]
    public async Task A_replacement_made_on_one_machine_is_not_made_again_on_another()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var leaked = bed.Keys.ActiveIdle;
        Plan(bed, dir, leaked);
        string[] Apply(string audit, string keys) => ["apply", "plan.json", "--endpoint-url", bed.Server.Url.ToString(), "--yes", "--only", "create", "--new-keys", keys, "--audit-log", audit];

        var here = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), Apply("a.jsonl", "a.keys"));
        var there = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), Apply("b.jsonl", "b.keys"));

        Assert.True(here.ExitCode == 0 && there.ExitCode == 0, here.Stdout + here.Stderr + there.Stdout + there.Stderr);
        Assert.Single(bed.Server.Log.Of("CreateAccessKey"));
        Assert.Contains("after this plan was made: that is the replacement", there.Stdout);
        Assert.False(File.Exists(Path.Combine(dir.Path, "b.keys")));
    }

    [Fact]
    public async Task Revoke_sessions_is_applied_once_as_an_inline_deny_policy()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var leaked = bed.Keys.ActiveRecentlyUsed;
        Plan(bed, dir, leaked);
        string[] Apply() => ["apply", "plan.json", "--endpoint-url", bed.Server.Url.ToString(), "--yes", "--only", "revoke-sessions", "--audit-log", "audit.jsonl"];

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), Apply());
        var rerun = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), Apply());

        Assert.True(run.ExitCode == 0 && rerun.ExitCode == 0, run.Stdout + run.Stderr + rerun.Stdout + rerun.Stderr);
        var put = Assert.Single(bed.Server.Log.Of("PutUserPolicy"));
        Assert.Equal(leaked.User.UserName, put.Parameter("UserName"));
        Assert.Equal($"keyguard-revoke-{leaked.AccessKeyId}", put.Parameter("PolicyName"));
        var document = JsonDocument.Parse(leaked.User.InlinePolicies[$"keyguard-revoke-{leaked.AccessKeyId}"]).RootElement.GetProperty("Statement")[0];
        Assert.Equal("Deny", document.GetProperty("Effect").GetString());
        Assert.True(document.GetProperty("Condition").GetProperty("DateLessThan").TryGetProperty("aws:TokenIssueTime", out _));
        Assert.Equal(["done", "skipped"], Audit(dir).Select(a => a.GetProperty("result").GetString()));
        Assert.Equal(KeyGuard.Aws.AccessKeyStatus.Active, (await bed.Iam().ListAllAccessKeysAsync(leaked.User.UserName)).Single(k => k.AccessKeyId == leaked.AccessKeyId).Status);
    }

    [Fact]
    public async Task An_oversized_iam_answer_stops_apply_in_one_line_before_any_change()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        Plan(bed, dir, bed.Keys.ActiveIdle);
        bed.Server.Faults.Inject("ListAccessKeys", FaultKind.OversizedBody, times: 1);

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "apply", "plan.json", "--endpoint-url", bed.Server.Url.ToString(),
            "--yes", "--audit-log", "audit.jsonl");

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("ResponseTooLarge", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.DoesNotContain(bed.Server.Log.Entries, e => e.Action is "UpdateAccessKey" or "CreateAccessKey" or "DeleteAccessKey" or "PutUserPolicy");
    }
}
