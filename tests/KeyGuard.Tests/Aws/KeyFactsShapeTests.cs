using System.Text;
using System.Text.Json;
using KeyGuard.Findings;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Aws;

/// <summary>
/// One typed record of a found key (issue 12 point 4): the facts IAM gave travel as <see cref="KeyFacts"/> and have one
/// JSON shape, the same in `inspect`, in a `scan --verify` finding's "aws" object, and in what `plan --offline` reads.
/// </summary>
public sealed class KeyFactsShapeTests
{
    private static string Json(KeyFacts f) => JsonSerializer.Serialize(KeyFactsJson.Document(f), EngineJsonContext.Default.KeyFactsDocument);

    [Fact]
    public void Facts_read_back_from_their_json_are_the_same_facts()
    {
        var facts = new KeyFacts
        {
            KeyId = "AKIAIOSFODNN7EXAMPLE", Account = "123456789012", AccountSource = AccountSource.GetAccessKeyInfo, Ownership = Ownership.Ours,
            UserName = "alice", Status = KeyStatus.Inactive, CreateDate = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), AgeDays = 300,
            LastUsedDate = new DateTimeOffset(2026, 11, 2, 3, 4, 5, TimeSpan.FromHours(2)), LastUsedService = "s3", LastUsedRegion = "eu-west-1",
            QuarantinePolicies = ["AWSCompromisedKeyQuarantineV3"], Severity = Severity.Medium, Error = "iam:ListAttachedUserPolicies was denied",
            LiveCheck = new LiveCheck(LiveCheckResult.WrongSecret, Message: "the found secret does not belong to this key ID"),
        };
        var json = Json(facts);
        Assert.Equal(json, Json(KeyFactsJson.Read(facts.KeyId, JsonDocument.Parse(json).RootElement)));
        Assert.Contains("\"lastUsedDate\":\"2026-11-02T01:04:05Z\"", json);
    }

    [Fact]
    public async Task Scan_verify_and_inspect_write_the_same_facts_in_the_same_shape()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var key = bed.Keys.ActiveIdle.AccessKeyId;
        dir.Write("app/.env", $"AWS_ACCESS_KEY_ID={key}\n");
        var url = bed.Server.Url.ToString();
        var now = DateTimeOffset.UtcNow;

        var scan = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "app", "--verify", "--endpoint-url", url, "-f", "json");
        var inspect = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "inspect", key, "--endpoint-url", url, "-f", "json");

        var fromScan = JsonDocument.Parse(scan.Stdout).RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("keyId").GetString() == key).GetProperty("aws");
        var fromInspect = JsonDocument.Parse(inspect.Stdout).RootElement.GetProperty("keys")[0];
        Assert.Equal(fromInspect.EnumerateObject().Select(p => p.Name), fromScan.EnumerateObject().Select(p => p.Name));
        Assert.Equal(fromInspect.GetRawText(), fromScan.GetRawText().Replace("\r", ""), ignoreWhiteSpaceDifferences: true, ignoreAllWhiteSpace: true);
        Assert.Equal(JsonValueKind.Object, fromScan.GetProperty("liveCheck").ValueKind);
        Assert.EndsWith("Z", fromScan.GetProperty("createDate").GetString());
        Assert.True(DateTimeOffset.UtcNow - now < TimeSpan.FromDays(1)); // both runs saw the same day, so ageDays agree
    }

    [Fact]
    public async Task An_offline_plan_from_a_verified_scan_matches_the_online_plan()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var url = bed.Server.Url.ToString();
        dir.Write("app/.env", $"A_AWS_ACCESS_KEY_ID={bed.Keys.ActiveIdle.AccessKeyId}\nB_AWS_ACCESS_KEY_ID={bed.Keys.Deleted.AccessKeyId}\n" +
                              $"C_AWS_ACCESS_KEY_ID={bed.Keys.Inactive.AccessKeyId}\nD_AWS_ACCESS_KEY_ID={bed.Keys.OtherAccount.AccessKeyId}\n");
        var scan = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "scan", "app", "--verify", "--endpoint-url", url, "-f", "json", "-o", "findings.json");
        Assert.True(scan.ExitCode == 1, scan.Stderr);

        var online = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "plan", "app", "--endpoint-url", url, "--no-baseline", "-f", "json", "--now", "2026-12-06T12:00:00Z");
        var offline = KeyGuardProcess.Run(dir.Path, null, "plan", "--findings", "findings.json", "--offline", "-f", "json", "--now", "2026-12-06T12:00:00Z");

        Assert.True(online.ExitCode == 0 && offline.ExitCode == 0, online.Stderr + offline.Stderr);
        static IEnumerable<string> Summary(string json) => JsonDocument.Parse(json).RootElement.GetProperty("plans").EnumerateArray()
            .Select(p => $"{p.GetProperty("keyId").GetString()} {p.GetProperty("kind").GetString()} {p.GetProperty("severity").GetString()} " +
                         string.Join(",", p.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString())));
        Assert.Equal(Summary(online.Stdout), Summary(offline.Stdout));
        Assert.Equal(4, Summary(offline.Stdout).Count());
    }
}
