using System.Text.Json;
using KeyGuard.Tests.Aws;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Cli;

/// <summary>`keyguard scan --verify` as a real process against the IAM emulator over HTTP.</summary>
public sealed class ScanVerifyTests
{
    [Fact]
    public async Task Findings_carry_owner_status_and_last_use_and_the_found_secret_is_never_used()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var active = bed.Keys.ActiveRecentlyUsed;
        var inactive = bed.Keys.Inactive;
        dir.Write(".env", $"AWS_ACCESS_KEY_ID={active.AccessKeyId}\nAWS_SECRET_ACCESS_KEY={active.SecretAccessKey}\n");
        dir.Write("old.txt", $"retired key {inactive.AccessKeyId}\n");
        var r = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "--verify", "--endpoint-url", bed.Server.Url.ToString(), "--format", "json");
        Assert.Equal(1, r.ExitCode);
        var findings = JsonDocument.Parse(r.Stdout).RootElement.GetProperty("findings").EnumerateArray().ToList();
        var key = findings.Single(f => f.GetProperty("rule").GetString() == "aws-access-key-id" && f.GetProperty("keyId").GetString() == active.AccessKeyId);
        var aws = key.GetProperty("aws");
        Assert.Equal("ours", aws.GetProperty("ownership").GetString());
        Assert.Equal("alice", aws.GetProperty("userName").GetString());
        Assert.Equal("active", aws.GetProperty("status").GetString());
        Assert.Equal("critical", key.GetProperty("severity").GetString());
        var secret = findings.Single(f => f.GetProperty("rule").GetString() == "aws-secret-access-key");
        Assert.Equal("alice", secret.GetProperty("aws").GetProperty("userName").GetString());
        var old = findings.Single(f => f.GetProperty("keyId").GetString() == inactive.AccessKeyId);
        Assert.Equal("inactive", old.GetProperty("aws").GetProperty("status").GetString());
        Assert.Equal("medium", old.GetProperty("severity").GetString());
        Assert.Empty(bed.CallsSignedBy(active.AccessKeyId));   // the live check is off by default

        var text = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "--verify", "--endpoint-url", bed.Server.Url.ToString());
        Assert.Contains("userName=alice", text.Stdout);
        Assert.DoesNotContain(active.SecretAccessKey, text.Stdout + text.Stderr);
        var sarif = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "--verify", "--endpoint-url", bed.Server.Url.ToString(), "--format", "sarif");
        Assert.Contains("\"aws.userName\": \"alice\"", sarif.Stdout);
    }

    [Fact]
    public async Task Without_operator_credentials_findings_are_still_reported_and_exit_is_4()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        dir.Write("k.txt", bed.Keys.ActiveRecentlyUsed.AccessKeyId + "\n");
        var env = bed.OperatorEnvironment();
        env["AWS_SECRET_ACCESS_KEY"] = "wrong" + bed.Keys.Operator.SecretAccessKey[5..];
        var r = KeyGuardProcess.Run(dir.Path, null, env, "scan", "--verify", "--endpoint-url", bed.Server.Url.ToString());
        Assert.Equal(4, r.ExitCode);
        Assert.Contains(bed.Keys.ActiveRecentlyUsed.AccessKeyId, r.Stdout);
        Assert.Contains("keyguard:", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }
}
