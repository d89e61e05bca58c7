using System.Diagnostics;
using System.Text.Json;
using KeyGuard.IamEmulator;
using Xunit;

namespace KeyGuard.Tests.Aws;

/// <summary>`keyguard inspect` as a real process (dotnet keyguard.dll) against the emulator.</summary>
public class InspectCliTests
{
    private sealed record Run(int ExitCode, string Stdout, string Stderr);

    private static async Task<Run> Keyguard(EmulatorTestBed bed, IDictionary<string, string>? env, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "keyguard.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Only the emulator's operator key; nothing from the developer's machine.
        psi.Environment["AWS_ACCESS_KEY_ID"] = bed.Keys.Operator.AccessKeyId;
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = bed.Keys.Operator.SecretAccessKey;
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        psi.Environment["AWS_CONFIG_FILE"] = "/nonexistent/keyguard-test-config";
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/keyguard-test-credentials";
        psi.Environment.Remove("AWS_PROFILE");
        psi.Environment.Remove("AWS_SESSION_TOKEN");
        // An empty value removes the variable.
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            if (v.Length == 0) psi.Environment.Remove(k); else psi.Environment[k] = v;

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Json_to_a_file_with_f_and_o()
    {
        await using var bed = new EmulatorTestBed();
        var file = Path.Combine(Path.GetTempPath(), $"keyguard-inspect-{Guid.NewGuid():N}.json");
        try
        {
            var run = await Keyguard(bed, null, "inspect", "-f", "json", "-o", file, "--endpoint-url", bed.Server.Url.ToString(), bed.Keys.ActiveIdle.AccessKeyId);
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal("", run.Stdout);
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            Assert.Contains(bed.Keys.ActiveIdle.AccessKeyId, File.ReadAllText(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task Text_output_for_our_keys()
    {
        await using var bed = new EmulatorTestBed();
        var run = await Keyguard(bed, null, "inspect", "--endpoint-url", bed.Server.Url.ToString(),
            bed.Keys.ActiveRecentlyUsed.AccessKeyId, bed.Keys.Deleted.AccessKeyId);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        Assert.Contains($"{bed.Keys.ActiveRecentlyUsed.AccessKeyId}  [critical]", run.Stdout);
        Assert.Contains("owner       alice", run.Stdout);
        Assert.Contains("deleted-or-not-found", run.Stdout);
        Assert.Contains("operator: arn:aws:iam::111122223333:user/keyguard-operator", run.Stdout);
    }

    [Fact]
    public async Task Json_output_has_the_documented_fields()
    {
        await using var bed = new EmulatorTestBed();
        var run = await Keyguard(bed, null, "inspect", "--format", "json", "--endpoint-url", bed.Server.Url.ToString(),
            bed.Keys.Inactive.AccessKeyId, bed.Keys.OtherAccount.AccessKeyId);

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var keys = doc.RootElement.GetProperty("keys");
        Assert.Equal(2, keys.GetArrayLength());
        var inactive = keys[0];
        Assert.Equal("inactive", inactive.GetProperty("status").GetString());
        Assert.Equal("medium", inactive.GetProperty("severity").GetString());
        Assert.Equal("old-intern", inactive.GetProperty("userName").GetString());
        Assert.Equal("ours", inactive.GetProperty("ownership").GetString());
        Assert.Equal(730, inactive.GetProperty("ageDays").GetInt32());
        Assert.Equal("not-requested", inactive.GetProperty("liveCheck").GetProperty("result").GetString());
        Assert.Equal("other-account", keys[1].GetProperty("ownership").GetString());
        Assert.Equal(DemoSeed.OtherAccount, keys[1].GetProperty("account").GetString());
        Assert.Empty(bed.CallsSignedBy(bed.Keys.Inactive.AccessKeyId));
    }

    [Fact]
    public async Task A_denied_lookup_prints_the_permission_and_exits_4()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("GetAccessKeyLastUsed", FaultKind.AccessDenied);
        var run = await Keyguard(bed, null, "inspect", "--endpoint-url", bed.Server.Url.ToString(), bed.Keys.ActiveIdle.AccessKeyId);

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("iam:GetAccessKeyLastUsed", run.Stdout);
    }

    [Fact]
    public async Task Bad_operator_credentials_are_one_line_and_exit_4()
    {
        await using var bed = new EmulatorTestBed();
        var run = await Keyguard(bed, new Dictionary<string, string> { ["AWS_SECRET_ACCESS_KEY"] = "wrong" },
            "inspect", "--endpoint-url", bed.Server.Url.ToString(), bed.Keys.ActiveIdle.AccessKeyId);

        Assert.Equal(4, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.Contains("sts:GetCallerIdentity failed with SignatureDoesNotMatch", line);
    }

    [Fact]
    public async Task Usage_errors_exit_2_without_a_stack_trace()
    {
        await using var bed = new EmulatorTestBed();
        var badKey = await Keyguard(bed, null, "inspect", "NOT-A-KEY");
        Assert.Equal(2, badKey.ExitCode);
        Assert.DoesNotContain("   at ", badKey.Stderr);
        Assert.Contains("not an AWS access key ID", badKey.Stderr);

        var noSecret = await Keyguard(bed, null, "inspect", "--verify-live", "--endpoint-url", bed.Server.Url.ToString(), bed.Keys.ActiveIdle.AccessKeyId);
        Assert.Equal(2, noSecret.ExitCode);
        Assert.Contains("KEYGUARD_FOUND_SECRET_ACCESS_KEY", noSecret.Stderr);
        Assert.Empty(bed.Server.Log.Entries);
    }

    [Fact]
    public async Task Verify_live_warns_on_stderr_and_reports_the_arn()
    {
        await using var bed = new EmulatorTestBed();
        var key = bed.Keys.ActiveRecentlyUsed;
        var run = await Keyguard(bed, new Dictionary<string, string> { ["KEYGUARD_FOUND_SECRET_ACCESS_KEY"] = key.SecretAccessKey },
            "inspect", "--verify-live", "--endpoint-url", bed.Server.Url.ToString(), key.AccessKeyId);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("warning", run.Stderr);
        Assert.Contains("CloudTrail", run.Stderr);
        Assert.Contains("live check  live: arn:aws:iam::111122223333:user/alice", run.Stdout);
        Assert.DoesNotContain(key.SecretAccessKey, run.Stdout + run.Stderr);
        Assert.Single(bed.CallsSignedBy(key.AccessKeyId));
    }

    [Fact]
    public async Task Profile_credentials_come_from_the_shared_credentials_file()
    {
        await using var bed = new EmulatorTestBed();
        string dir = Directory.CreateTempSubdirectory("keyguard-profile-").FullName;
        try
        {
            string file = Path.Combine(dir, "credentials");
            await File.WriteAllTextAsync(file,
                $"[emulator]\naws_access_key_id = {bed.Keys.Operator.AccessKeyId}\naws_secret_access_key = {bed.Keys.Operator.SecretAccessKey}\n");
            var env = new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = "", ["AWS_SECRET_ACCESS_KEY"] = "", ["AWS_SHARED_CREDENTIALS_FILE"] = file,
            };

            var ok = await Keyguard(bed, env, "inspect", "--profile", "emulator", "--endpoint-url", bed.Server.Url.ToString(), bed.Keys.Inactive.AccessKeyId);
            Assert.Equal(0, ok.ExitCode);
            Assert.Contains("[medium]", ok.Stdout);

            var missing = await Keyguard(bed, env, "inspect", "--profile", "no-such-profile", "--endpoint-url", bed.Server.Url.ToString(), bed.Keys.Inactive.AccessKeyId);
            Assert.Equal(4, missing.ExitCode);
            Assert.Contains("could not resolve AWS credentials from profile 'no-such-profile'", missing.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
