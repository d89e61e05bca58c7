using System.Text.Json;
using KeyGuard.Findings;
using KeyGuard.Planning;
using KeyGuard.Tests.Aws;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Remediation;

/// <summary>
/// Plans use the account baseline (issue 18): where CloudTrail does not log, a leaked key's activity cannot be
/// reviewed, so the plan says so and proposes turning CloudTrail on; a fully logged account gets no such step.
/// </summary>
public sealed class PlanCloudTrailTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Regions_without_cloudtrail_are_named_and_a_trail_is_proposed()
    {
        var id = new FakeCredentials(31).KeyId();
        var leak = new LeakedKey(id, "123456789012", [new LeakLocation(".env", 1, null, Now.AddDays(-3))], Now.AddDays(-3), true, false, []);
        var facts = new Dictionary<string, KeyFacts>
        {
            [id] = new() { KeyId = id, Ownership = Ownership.Ours, Account = "123456789012", UserName = "deploy-bot", Status = KeyStatus.Active, CreateDate = Now.AddDays(-100), LastUsedDate = Now.AddDays(-1), LastUsedService = "s3", LastUsedRegion = "eu-central-1" },
        };
        var blind = new Planner(new PlanOptions { Now = Now, RegionsWithoutCloudTrail = ["eu-central-1", "us-west-2"] }).Build([leak], facts, []).Plans.Single();
        Assert.Contains(blind.Evidence, e => e.Contains("CloudTrail records no management events in eu-central-1, us-west-2"));
        Assert.Contains(blind.Evidence, e => e == "the key was last used in eu-central-1, where CloudTrail does not log");
        var step = Assert.Single(blind.Steps, s => s.Id == "enable-cloudtrail");
        Assert.Contains("--is-multi-region-trail --enable-log-file-validation", step.Cli);
        Assert.Contains("aws-cloudtrail-logs-123456789012-keyguard", step.Cli);
        Assert.DoesNotContain("<", step.Cli);   // no placeholder in a command

        var covered = new Planner(new PlanOptions { Now = Now }).Build([leak], facts, []).Plans.Single();
        Assert.DoesNotContain(covered.Steps, s => s.Id == "enable-cloudtrail");
        Assert.DoesNotContain(covered.Evidence, e => e.Contains("CloudTrail records no"));
    }

    private static List<string> StepIds(TempDir dir) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "plan.json"))).RootElement.GetProperty("plans")[0]
            .GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task Plan_against_the_emulator_reads_the_accounts_trails()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={bed.Keys.ActiveIdle.AccessKeyId}\n");
        string[] Plan(params string[] extra) =>
            ["plan", "app", "--endpoint-url", bed.Server.Url.ToString(), "--format", "json", "-o", "plan.json", .. extra];

        var seeded = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), Plan());   // the demo seed's multi-region trail is stopped
        Assert.True(seeded.ExitCode == 0, seeded.Stderr);
        Assert.Contains("enable-cloudtrail", StepIds(dir));
        // Only the trails are read for a plan: no Config, Access Analyzer, S3 or IAM-policy calls (or permissions).
        Assert.Contains(bed.Server.Log.Entries, e => e.Action == "DescribeTrails");
        Assert.DoesNotContain(bed.Server.Log.Entries, e => e.Action is "DescribeConfigurationRecorders" or "ListAnalyzers" or "GetPublicAccessBlock" or "ListServerCertificates" or "ListPolicies");

        var skipped = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), Plan("--no-baseline"));
        Assert.True(skipped.ExitCode == 0, skipped.Stderr);
        Assert.DoesNotContain("enable-cloudtrail", StepIds(dir));

        bed.OurAccount.Baseline.MakeCompliant(bed.OurAccount.Id, "us-east-1", "eu-west-1");
        var logged = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), Plan());
        Assert.True(logged.ExitCode == 0, logged.Stderr);
        Assert.DoesNotContain("enable-cloudtrail", StepIds(dir));
    }
}
