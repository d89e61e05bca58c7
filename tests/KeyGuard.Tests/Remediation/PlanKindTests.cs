using System.Text.Json;
using KeyGuard.IamEmulator;
using KeyGuard.Tests.Aws;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Remediation;

/// <summary>
/// Plan kinds that fit the key (issue 16, aws-e2e review §1.4): the real CLI plans keys found in a folder against the
/// IAM emulator, and each plan's kind, severity and commands are checked against what the key is.
/// </summary>
public sealed class PlanKindTests
{
    private readonly FakeCredentials _fake = new(1616);

    private static List<JsonElement> Plans(EmulatorTestBed bed, TempDir dir, params string[] extra)
    {
        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(),
            ["plan", "app", "--endpoint-url", bed.Server.Url.ToString(), "--format", "json", "--no-baseline", .. extra]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.GetProperty("plans").EnumerateArray().Select(p => p.Clone()).ToList();
    }

    private static JsonElement PlanOf(List<JsonElement> plans, string keyId) => plans.Single(p => p.GetProperty("keyId").GetString() == keyId);

    private static List<JsonElement> Steps(JsonElement plan) => plan.GetProperty("steps").EnumerateArray().ToList();

    private static IEnumerable<string> Commands(JsonElement plan) =>
        Steps(plan).Where(s => s.TryGetProperty("cli", out _)).Select(s => s.GetProperty("cli").GetString()!);

    /// <summary>What `inspect` says the key's severity is: a plan must agree.</summary>
    private static string InspectSeverity(EmulatorTestBed bed, TempDir dir, string keyId)
    {
        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "inspect", keyId, "--endpoint-url", bed.Server.Url.ToString(), "-f", "json");
        return JsonDocument.Parse(run.Stdout).RootElement.GetProperty("keys")[0].GetProperty("severity").GetString()!;
    }

    /// <summary>No command holds a placeholder (`&lt;access key 1 of alice&gt;`, `(unknown user)`).</summary>
    private static void NoPlaceholders(JsonElement plan)
    {
        foreach (var cli in Commands(plan))
        {
            Assert.DoesNotContain("(unknown", cli);
            Assert.DoesNotMatch(@"<[a-z][^>]*>", cli.Replace("<root_account>", ""));
        }
    }

    [Fact]
    public async Task A_session_key_gets_a_session_plan_with_no_access_key_commands()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var asia = _fake.KeyId("ASIA", DemoSeed.OperatorAccount);
        dir.Write("app/creds.ini", $"[default]\naws_access_key_id = {asia}\naws_secret_access_key = {_fake.Secret()}\naws_session_token = {_fake.SessionToken()}\n");

        var plan = PlanOf(Plans(bed, dir), asia);

        Assert.Equal("leaked-session", plan.GetProperty("kind").GetString());
        Assert.Equal(InspectSeverity(bed, dir, asia), plan.GetProperty("severity").GetString());
        Assert.All(Commands(plan), cli => Assert.DoesNotMatch("(create|update|delete)-access-key", cli));
        Assert.DoesNotContain(plan.GetProperty("evidence").EnumerateArray(), e => e.GetString()!.Contains("never used (per IAM)"));
        Assert.Equal(["identify", "revoke-sessions", "rotate-source", "investigate", "purge"], Steps(plan).Select(s => s.GetProperty("id").GetString()));
        var identify = Steps(plan)[0].GetProperty("cli").GetString()!;
        Assert.Contains($"AttributeKey=AccessKeyId,AttributeValue={asia}", identify);
        Assert.Contains("sessionIssuer", identify);
        Assert.Contains("aws:TokenIssueTime", Steps(plan)[1].GetProperty("cli").GetString());
        Assert.Contains("put-role-policy", Steps(plan)[1].GetProperty("cli").GetString());
        Assert.Contains(plan.GetProperty("evidence").EnumerateArray(), e => e.GetString()!.Contains("session token leaked"));
        NoPlaceholders(plan);
    }

    [Fact]
    public async Task Deleted_and_never_issued_keys_get_a_low_plan_to_confirm_and_clean_up()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var deleted = bed.Keys.Deleted.AccessKeyId;
        var neverIssued = _fake.KeyId("AKIA", DemoSeed.OperatorAccount);
        dir.Write("app/.env", $"OLD_AWS_ACCESS_KEY_ID={deleted}\nNEVER_AWS_ACCESS_KEY_ID={neverIssued}\n");

        var plans = Plans(bed, dir);

        foreach (var id in new[] { deleted, neverIssued })
        {
            var plan = PlanOf(plans, id);
            Assert.Equal("leaked-deleted", plan.GetProperty("kind").GetString());
            Assert.Equal("low", plan.GetProperty("severity").GetString());
            Assert.Equal(InspectSeverity(bed, dir, id), plan.GetProperty("severity").GetString());
            Assert.Equal(["investigate", "purge"], Steps(plan).Select(s => s.GetProperty("action").GetString()));
            Assert.Contains("cloudtrail lookup-events", Steps(plan)[0].GetProperty("cli").GetString());
            NoPlaceholders(plan);
        }
    }

    [Fact]
    public async Task A_canary_key_is_called_a_canary_and_left_alone()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var canary = _fake.KeyId("AKIA", "171436882533");   // one of thinkst's canarytokens.org accounts
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={canary}\n");

        var plan = PlanOf(Plans(bed, dir), canary);

        Assert.Equal("canary", plan.GetProperty("kind").GetString());
        Assert.Equal(InspectSeverity(bed, dir, canary), plan.GetProperty("severity").GetString());
        Assert.Contains("canary", Steps(plan)[0].GetProperty("title").GetString());
        Assert.Contains(plan.GetProperty("evidence").EnumerateArray(), e => e.GetString()!.Contains("thinkst canary tokens"));
        Assert.DoesNotContain(Steps(plan), s => s.GetProperty("title").GetString()!.StartsWith("Tell the owner"));
        Assert.All(Steps(plan), s => Assert.False(s.GetProperty("automatable").GetBoolean()));
        NoPlaceholders(plan);
    }

    [Fact]
    public async Task Another_accounts_key_is_reported_to_its_owner_through_AWS()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var foreign = bed.Keys.OtherAccount.AccessKeyId;
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={foreign}\n");

        var plan = PlanOf(Plans(bed, dir), foreign);

        Assert.Equal("foreign", plan.GetProperty("kind").GetString());
        Assert.Equal(InspectSeverity(bed, dir, foreign), plan.GetProperty("severity").GetString());
        var notify = Steps(plan)[0];
        Assert.Equal("notify", notify.GetProperty("action").GetString());
        Assert.Contains("https://support.aws.amazon.com/#/contacts/report-abuse", notify.GetProperty("reason").GetString());
        Assert.Contains("never the secret", notify.GetProperty("reason").GetString());
        NoPlaceholders(plan);
    }

    [Fact]
    public async Task A_key_whose_owner_could_not_be_looked_up_gets_commands_that_ask_IAM_not_a_placeholder()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var key = bed.Keys.ActiveIdle.AccessKeyId;
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={key}\n");
        bed.Server.Faults.Inject("GetAccessKeyLastUsed", FaultKind.AccessDenied, times: 1);

        var plan = PlanOf(Plans(bed, dir), key);

        NoPlaceholders(plan);
        var contain = Steps(plan).Single(s => s.GetProperty("id").GetString() == "contain");
        Assert.Equal($"aws iam update-access-key --user-name \"$(aws iam get-access-key-last-used --access-key-id {key} --query UserName --output text)\" --access-key-id {key} --status Inactive",
            contain.GetProperty("cli").GetString());
        Assert.False(contain.GetProperty("automatable").GetBoolean());   // apply needs the user's name
        Assert.Equal("high", plan.GetProperty("severity").GetString());  // a failed lookup cannot rule out an active key
    }

    [Fact]
    public async Task A_leaked_key_in_the_credential_report_has_one_plan_and_stale_keys_are_named_by_id()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var report = await new KeyGuard.CredentialReport.CredentialReportFetcher(
            new KeyGuard.CredentialReport.IamCredentialReportApi(bed.Iam()), TimeProvider.System, (_, _) => Task.CompletedTask).FetchAsync();
        dir.Write("credential-report.csv", System.Text.Encoding.UTF8.GetString(report.Content));
        var leaked = bed.Keys.ActiveIdle;   // deploy-bot: leaked, and unused 120 days in the report
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={leaked.AccessKeyId}\n");

        var plans = Plans(bed, dir, "--report", "credential-report.csv");

        var forBot = plans.Where(p => p.TryGetProperty("userName", out var u) && u.GetString() == "deploy-bot").ToList();
        var plan = Assert.Single(forBot);
        Assert.Equal(leaked.AccessKeyId, plan.GetProperty("keyId").GetString());
        Assert.Equal("leaked-active", plan.GetProperty("kind").GetString());
        Assert.Contains(plan.GetProperty("evidence").EnumerateArray(), e => e.GetString()!.StartsWith("CIS 1.12"));
        var alice = PlanOf(plans, bed.Keys.ActiveRecentlyUsed.AccessKeyId);
        Assert.Equal("stale-rotate", alice.GetProperty("kind").GetString());
        foreach (var p in plans) NoPlaceholders(p);
    }

    [Fact]
    public async Task A_stale_unused_key_from_the_report_is_deactivated_by_apply()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var report = await new KeyGuard.CredentialReport.CredentialReportFetcher(
            new KeyGuard.CredentialReport.IamCredentialReportApi(bed.Iam()), TimeProvider.System, (_, _) => Task.CompletedTask).FetchAsync();
        dir.Write("credential-report.csv", System.Text.Encoding.UTF8.GetString(report.Content));
        dir.Write("app/readme.txt", "nothing here\n");
        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "plan", "app", "--report", "credential-report.csv",
            "--endpoint-url", bed.Server.Url.ToString(), "--format", "json", "-o", "plan.json");
        Assert.True(run.ExitCode == 0, run.Stderr);

        var apply = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "apply", "plan.json", "--endpoint-url", bed.Server.Url.ToString(),
            "--yes", "--audit-log", "audit.jsonl");

        Assert.True(apply.ExitCode == 0, apply.Stdout + apply.Stderr);
        var idle = (await bed.Iam().ListAllAccessKeysAsync("deploy-bot")).Single(k => k.AccessKeyId == bed.Keys.ActiveIdle.AccessKeyId);
        Assert.Equal(KeyGuard.Aws.AccessKeyStatus.Inactive, idle.Status);
        Assert.Contains("deferred", apply.Stdout);   // the delete waits its days
        Assert.Equal(KeyGuard.Aws.AccessKeyStatus.Active,
            (await bed.Iam().ListAllAccessKeysAsync("alice")).Single(k => k.AccessKeyId == bed.Keys.ActiveRecentlyUsed.AccessKeyId).Status);
    }
}
