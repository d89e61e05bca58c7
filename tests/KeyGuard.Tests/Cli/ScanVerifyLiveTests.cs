using KeyGuard.Tests.Aws;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Cli;

/// <summary>
/// `scan --verify-live` and `scan --verify` output as a real process against the IAM emulator (issue 16, aws-e2e
/// review rough edges 10 and 22): the live check signs only with keys IAM says are ours unless
/// --allow-other-accounts; its results show in the text output; text is in risk order; CSV carries the IAM facts.
/// </summary>
public sealed class ScanVerifyLiveTests
{
    private static string Pair(string keyId, string secret) => $"aws_access_key_id = {keyId}\naws_secret_access_key = {secret}\n";

    private static string LineOf(string output, string keyId) =>
        output.Split('\n').First(l => l.Contains($"key {keyId}") && l.Contains("aws-access-key-id"));

    [Fact]
    public async Task Live_check_signs_only_with_our_keys_unless_allowed_and_text_says_which_were_live()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var ours = bed.Keys.ActiveRecentlyUsed;
        var inactive = bed.Keys.Inactive;
        var theirs = bed.Keys.OtherAccount;
        dir.Write("ours/alice.env", Pair(ours.AccessKeyId, ours.SecretAccessKey));
        dir.Write("ours/intern.env", Pair(inactive.AccessKeyId, inactive.SecretAccessKey));
        dir.Write("theirs/vendor.env", Pair(theirs.AccessKeyId, theirs.SecretAccessKey));
        string url = bed.Server.Url.ToString();

        var r = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "--verify-live", "--endpoint-url", url, "--no-progress");

        Assert.Equal(1, r.ExitCode);
        Assert.Empty(bed.CallsSignedBy(theirs.AccessKeyId));                       // another account's secret never sent
        Assert.Single(bed.CallsSignedBy(ours.AccessKeyId), c => c.Action == "GetCallerIdentity");
        Assert.Contains("liveCheck=live", LineOf(r.Stdout, ours.AccessKeyId));
        Assert.Contains("liveArn=arn:aws:iam::111122223333:user/alice", LineOf(r.Stdout, ours.AccessKeyId));
        Assert.Contains("liveCheck=not-live", LineOf(r.Stdout, inactive.AccessKeyId));
        Assert.Contains("liveCheck=skipped-not-ours", LineOf(r.Stdout, theirs.AccessKeyId));
        // A pair's second line refers to its key's facts rather than repeating them (review rough edge 22).
        var secretLine = r.Stdout.Split('\n').Single(l => l.Contains($"key {ours.AccessKeyId}") && l.Contains("aws-secret-access-key"));
        Assert.Contains($"[IAM facts of key {ours.AccessKeyId} above]", secretLine);
        Assert.DoesNotContain("ownership=", secretLine);
        Assert.Equal(3, r.Stdout.Split('\n').Count(l => l.Contains("ownership=")));
        Assert.Contains("--allow-other-accounts", r.Stderr);                          // told what was skipped and how to opt in
        Assert.Contains("1 live", r.Stderr);
        Assert.DoesNotContain($"signs sts:GetCallerIdentity with the found key {theirs.AccessKeyId}", r.Stderr);
        foreach (var secret in new[] { ours.SecretAccessKey, inactive.SecretAccessKey, theirs.SecretAccessKey })
            Assert.DoesNotContain(secret, r.Stdout + r.Stderr);

        var json = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "--verify-live", "--endpoint-url", url, "-f", "json");
        Assert.Contains("\"result\": \"skipped-not-ours\"", json.Stdout);

        var allowed = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "--verify-live", "--allow-other-accounts",
            "--endpoint-url", url, "--no-progress");
        Assert.Equal(1, allowed.ExitCode);
        Assert.Single(bed.CallsSignedBy(theirs.AccessKeyId), c => c.Action == "GetCallerIdentity");
        Assert.Contains("liveCheck=live", LineOf(allowed.Stdout, theirs.AccessKeyId));
        Assert.Contains($"with the found key {theirs.AccessKeyId}", allowed.Stderr);   // warned before signing
    }

    [Fact]
    public async Task Inspect_live_check_of_another_accounts_key_needs_the_opt_in_too()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var theirs = bed.Keys.OtherAccount;
        var env = bed.OperatorEnvironment();
        env["KEYGUARD_FOUND_SECRET_ACCESS_KEY"] = theirs.SecretAccessKey;

        var refused = KeyGuardProcess.Run(dir.Path, null, env, "inspect", "--verify-live", "--endpoint-url", bed.Server.Url.ToString(), theirs.AccessKeyId);
        Assert.Equal(0, refused.ExitCode);
        Assert.Contains("live check  skipped-not-ours", refused.Stdout);
        Assert.Empty(bed.CallsSignedBy(theirs.AccessKeyId));

        var allowed = KeyGuardProcess.Run(dir.Path, null, env, "inspect", "--verify-live", "--allow-other-accounts", "--endpoint-url", bed.Server.Url.ToString(), theirs.AccessKeyId);
        Assert.Contains("live check  live", allowed.Stdout);
        Assert.NotEmpty(bed.CallsSignedBy(theirs.AccessKeyId));
    }

    [Fact]
    public async Task Verify_text_is_in_risk_order_and_csv_has_the_iam_facts_formula_guarded()
    {
        await using var bed = new EmulatorTestBed();
        // An IAM user name may start with '=' (IAM allows +=,.@_-): in a spreadsheet that would be a formula.
        var odd = bed.OurAccount.AddUser("=1+2").AddKey(lastUsedDate: DateTimeOffset.UtcNow.AddDays(-200));
        using var dir = new TempDir();
        var critical = bed.Keys.ActiveRecentlyUsed;   // alice: active, used 3 days ago
        var medium = bed.Keys.Inactive;
        var low = bed.Keys.OtherAccount;
        var quarantined = bed.Keys.ActiveIdle;        // deploy-bot: active, idle, AWS's quarantine policy attached
        dir.Write("a-low.env", $"AWS_ACCESS_KEY_ID={low.AccessKeyId}\n");
        dir.Write("b-medium.env", $"AWS_ACCESS_KEY_ID={medium.AccessKeyId}\n");
        dir.Write("c-high.env", $"AWS_ACCESS_KEY_ID={odd.AccessKeyId}\n");
        dir.Write("d-high.env", $"AWS_ACCESS_KEY_ID={quarantined.AccessKeyId}\n");
        dir.Write("z-critical.env", $"AWS_ACCESS_KEY_ID={critical.AccessKeyId}\n");
        string url = bed.Server.Url.ToString();

        var text = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "--verify", "--endpoint-url", url);
        var lines = text.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["z-critical.env", "c-high.env", "d-high.env", "b-medium.env", "a-low.env"], lines.Select(l => l.Split(':')[0]));

        var csv = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "--verify", "--endpoint-url", url, "-f", "csv");
        var rows = csv.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToList();
        var header = rows[0].ToList();
        Dictionary<string, string> Row(string keyId) => header.Zip(rows.Single(r => r.Contains(keyId))).ToDictionary(p => p.First, p => p.Second);
        var alice = Row(critical.AccessKeyId);
        Assert.Equal("critical", alice["severity"]);
        Assert.Equal("ours", alice["ownership"]);
        Assert.Equal("111122223333", alice["awsAccount"]);
        Assert.Equal("alice", alice["userName"]);
        Assert.Equal("active", alice["status"]);
        Assert.Equal("s3", alice["lastUsedService"]);
        Assert.Equal("eu-west-1", alice["lastUsedRegion"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", alice["lastUsedDate"]);
        Assert.Equal("200", alice["ageDays"]);
        Assert.Equal("AWSCompromisedKeyQuarantineV3", Row(quarantined.AccessKeyId)["quarantinePolicies"]);
        Assert.Equal("inactive", Row(medium.AccessKeyId)["status"]);
        Assert.Equal("other-account", Row(low.AccessKeyId)["ownership"]);
        Assert.Equal("'=1+2", Row(odd.AccessKeyId)["userName"].Trim('"'));                   // shown as text, never run
        Assert.DoesNotContain(",=", csv.Stdout);
    }
}
