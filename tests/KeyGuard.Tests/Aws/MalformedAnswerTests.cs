using KeyGuard.Aws;
using KeyGuard.IamEmulator;
using KeyGuard.Tests.Support;
using Xunit;

namespace KeyGuard.Tests.Aws;

/// <summary>
/// Empty, truncated and oversized 200 answers from STS and IAM (reliability B13, case 3.21; B30, case 3.24): the
/// emulator acts on the request and then mangles its answer, as a proxy or a hostile endpoint would. Every command ends
/// with one line and exit 4; `scan --verify` still reports its findings.
/// </summary>
public sealed class MalformedAnswerTests
{
    private static void AssertOneLineError(KeyGuardProcess.Result run, string expected)
    {
        Assert.True(run.ExitCode == 4, $"exit {run.ExitCode}: {run.Stderr}");
        // After a text report the scan summary ("1 finding; scanned ...") also goes to stderr (ux S9); it is not an error line.
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d+ findings?; scanned ")).ToArray();
        Assert.True(lines.Length == 1, run.Stderr);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("Exception", run.Stderr);
    }

    [Theory]
    [InlineData(FaultKind.EmptyBody)]
    [InlineData(FaultKind.TruncatedBody)]
    public async Task Inspect_reports_a_malformed_caller_identity_in_one_line(FaultKind fault)
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("GetCallerIdentity", fault);
        using var dir = new TempDir();

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "inspect", "--endpoint-url", bed.Server.Url.ToString(), bed.Keys.ActiveIdle.AccessKeyId);

        AssertOneLineError(run, "sts:GetCallerIdentity failed with MalformedResponse");
        Assert.Equal("", run.Stdout);
    }

    [Theory]
    [InlineData(FaultKind.EmptyBody)]
    [InlineData(FaultKind.TruncatedBody)]
    public async Task Scan_verify_keeps_its_findings_when_the_caller_identity_is_malformed(FaultKind fault)
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("GetCallerIdentity", fault);
        using var dir = new TempDir();
        var id = bed.Keys.ActiveIdle.AccessKeyId;
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={id}\n");

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "app", "--verify", "--endpoint-url", bed.Server.Url.ToString(), "--no-progress");

        AssertOneLineError(run, "--verify: sts:GetCallerIdentity failed with MalformedResponse");
        Assert.Contains(id, run.Stdout);
    }

    [Fact]
    public async Task Plan_reports_a_malformed_caller_identity_in_one_line()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("GetCallerIdentity", FaultKind.EmptyBody);
        using var dir = new TempDir();
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={bed.Keys.ActiveIdle.AccessKeyId}\n");

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "plan", "app", "--endpoint-url", bed.Server.Url.ToString());

        AssertOneLineError(run, "sts:GetCallerIdentity failed with MalformedResponse");
    }

    [Fact]
    public async Task An_oversized_caller_identity_is_refused_in_one_line()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("GetCallerIdentity", FaultKind.OversizedBody);
        using var dir = new TempDir();

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "inspect", "--endpoint-url", bed.Server.Url.ToString(), bed.Keys.ActiveIdle.AccessKeyId);

        AssertOneLineError(run, "sts:GetCallerIdentity failed with ResponseTooLarge (HTTP 200): the response is larger than 10 MB");
        Assert.Single(bed.Server.Log.Of("GetCallerIdentity")); // not retried: the same endpoint would answer the same
    }

    [Fact]
    public async Task An_oversized_iam_answer_is_a_per_key_error()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("GetAccessKeyLastUsed", FaultKind.OversizedBody);
        using var dir = new TempDir();
        var id = bed.Keys.ActiveIdle.AccessKeyId;

        var run = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "inspect", "--endpoint-url", bed.Server.Url.ToString(), id);

        Assert.True(run.ExitCode == 4, run.Stderr);
        Assert.Contains("iam:GetAccessKeyLastUsed failed with ResponseTooLarge", run.Stdout + run.Stderr);
        Assert.DoesNotContain("Exception", run.Stderr);
        Assert.True(run.Stdout.Length < 100_000, $"{run.Stdout.Length} characters printed");
    }

    [Fact]
    public async Task The_library_refuses_an_oversized_answer_without_reading_it_all()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("ListUsers", FaultKind.OversizedBody);

        var e = await Assert.ThrowsAsync<IamException>(() => bed.Iam().ListUsersAsync());

        Assert.Equal(("ResponseTooLarge", 200), (e.Code, e.HttpStatus));
        Assert.Single(bed.Server.Log.Of("ListUsers"));
        // The credential report may be larger: its cap is separate.
        Assert.True(ResponseSizeLimit.For("GetCredentialReport") > IamEmulatorServer.OversizedBytes);
    }
}
