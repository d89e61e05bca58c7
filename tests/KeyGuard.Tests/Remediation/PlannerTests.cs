using KeyGuard.Findings;
using KeyGuard.Planning;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Remediation;

public sealed class PlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeCredentials _fake = new(11);
    private Planner Planner() => new(new PlanOptions { Now = Now });

    private LeakedKey Leak(string id, DateTimeOffset? since, bool secret = true) =>
        new(id, "123456789012", [new LeakLocation("app/.env", 3, "abc123def4567890", since)], since, secret, false, []);

    internal static KeyFacts Ours(string id, KeyStatus status, DateTimeOffset? lastUsed, string user = "deploy-bot") => new()
    {
        KeyId = id, Ownership = Ownership.Ours, Account = "123456789012", UserName = user, Status = status, CreateDate = Now.AddDays(-400),
        LastUsedDate = lastUsed, LastUsedService = "s3", LastUsedRegion = "eu-west-1",
    };

    [Fact]
    public void Leaked_active_key_is_contained_then_investigated_replaced_and_eradicated()
    {
        var id = _fake.KeyId();
        var plan = Planner().Build([Leak(id, Now.AddDays(-3))], new Dictionary<string, KeyFacts> { [id] = Ours(id, KeyStatus.Active, Now.AddDays(-10)) }, []).Plans.Single();
        Assert.Equal("leaked-active", plan.Kind);
        Assert.Null(plan.Alert);
        Assert.Equal("critical", plan.Severity);   // active and used within 30 days
        Assert.Equal(["contain", "revoke-sessions", "investigate", "replace", "eradicate", "purge"], plan.Steps.Select(s => s.Id));
        var contain = plan.Steps[0];
        Assert.Equal(StepAction.Deactivate, contain.Action);
        Assert.True(contain.Automatable);
        Assert.Equal($"aws iam update-access-key --user-name deploy-bot --access-key-id {id} --status Inactive", contain.Cli);
        Assert.Contains("aws:TokenIssueTime", plan.Steps[1].Cli);
        Assert.Contains($"AttributeKey=AccessKeyId,AttributeValue={id}", plan.Steps[2].Cli);
        Assert.StartsWith("for r in eu-west-1 ", plan.Steps[2].Cli);          // the last-used region first
        Assert.Contains("Regions[?RegionName!='eu-west-1']", plan.Steps[2].Cli); // then every other region, once
        Assert.Contains(plan.Evidence, e => e.StartsWith("exposed since 2026-11-25"));
    }

    [Fact]
    public void Use_after_the_leak_is_said_first_and_loudly()
    {
        var id = _fake.KeyId();
        var plan = Planner().Build([Leak(id, Now.AddDays(-20))], new Dictionary<string, KeyFacts> { [id] = Ours(id, KeyStatus.Active, Now.AddDays(-2)) }, []).Plans.Single();
        Assert.StartsWith("POSSIBLE MISUSE", plan.Alert);
        Assert.Contains("s3 in eu-west-1", plan.Alert);
        Assert.Contains("after it leaked on 2026-11-08", plan.Alert);
        Assert.Equal("investigate-first", plan.Steps[0].Id);
        Assert.StartsWith("# KeyGuard remediation plan", PlanMarkdown.Render(new PlanDocument(1, Now, [plan])));
        Assert.Contains("Possible misuse", PlanMarkdown.Render(new PlanDocument(1, Now, [plan])));
        Assert.Contains("API call: `cloudtrail:LookupEvents", PlanMarkdown.Render(new PlanDocument(1, Now, [plan])));   // not "IAM call"
    }

    [Fact]
    public void Inactive_leaked_key_is_not_deactivated_again_but_deleted()
    {
        var id = _fake.KeyId();
        var plan = Planner().Build([Leak(id, Now.AddDays(-3))], new Dictionary<string, KeyFacts> { [id] = Ours(id, KeyStatus.Inactive, Now.AddDays(-100)) }, []).Plans.Single();
        Assert.Equal("leaked-inactive", plan.Kind);
        Assert.Equal("medium", plan.Severity);
        Assert.DoesNotContain(plan.Steps, s => s.Action == StepAction.Deactivate);
        Assert.Contains(plan.Steps, s => s.Action == StepAction.Delete && s.Automatable);
        Assert.False(plan.Steps.Single(s => s.Action == StepAction.Create).Automatable);
    }

    [Fact]
    public void Foreign_and_root_keys_get_nothing_to_run()
    {
        var foreign = _fake.KeyId("AKIA", "999988887777");
        var root = _fake.KeyId();
        var facts = new Dictionary<string, KeyFacts>
        {
            [foreign] = new() { KeyId = foreign, Ownership = Ownership.OtherAccount, Account = "999988887777" },
            [root] = new() { KeyId = root, Ownership = Ownership.Ours, Account = "123456789012", UserName = "<root_account>", Status = KeyStatus.Active },
        };
        var plans = Planner().Build([Leak(foreign, null), Leak(root, null)], facts, []).Plans;
        var f = plans.Single(p => p.KeyId == foreign);
        Assert.Equal("foreign", f.Kind);
        Assert.All(f.Steps, s => Assert.False(s.Automatable));
        Assert.Contains("999988887777", f.Steps[0].Title);
        var r = plans.Single(p => p.KeyId == root);
        Assert.Equal("root", r.Kind);
        Assert.Equal("critical", r.Severity);
        Assert.All(r.Steps, s => Assert.False(s.Automatable));
    }

    [Fact]
    public void Stale_keys_from_the_credential_report_get_rotation_or_deactivation()
    {
        var report = new[]
        {
            new ReportKey("old-bot", "arn:aws:iam::123456789012:user/old-bot", 1, true, Now.AddDays(-2000), Now.AddDays(-1), "us-east-1", "ecr", false),
            new ReportKey("idle", "arn:aws:iam::123456789012:user/idle", 1, true, Now.AddDays(-60), Now.AddDays(-50), "us-east-1", "s3", false),
            new ReportKey("fresh", "arn:aws:iam::123456789012:user/fresh", 1, true, Now.AddDays(-10), Now.AddDays(-1), "us-east-1", "s3", false),
            new ReportKey("gone", "arn:aws:iam::123456789012:user/gone", 2, false, Now.AddDays(-900), null, null, null, false),
        };
        var plans = Planner().Build([], new Dictionary<string, KeyFacts>(), report).Plans;
        Assert.Equal(["idle/key1", "old-bot/key1"], plans.Select(p => p.KeyId).Order());
        Assert.Equal("stale-rotate", plans.Single(p => p.KeyId == "old-bot/key1").Kind);
        Assert.Equal("stale-unused", plans.Single(p => p.KeyId == "idle/key1").Kind);
        Assert.Contains(plans.Single(p => p.KeyId == "old-bot/key1").Evidence, e => e.Contains("CIS 1.14"));
    }

    [Fact]
    public void Plans_are_deterministic_and_round_trip_through_json()
    {
        var a = _fake.KeyId(); var b = _fake.KeyId();
        var facts = new Dictionary<string, KeyFacts> { [a] = Ours(a, KeyStatus.Active, Now.AddDays(-1)), [b] = Ours(b, KeyStatus.Inactive, null, "other") };
        string Render()
        {
            var doc = Planner().Build([Leak(b, Now.AddDays(-5)), Leak(a, Now.AddDays(-5))], facts, []);
            using var ms = new MemoryStream();
            PlanJson.Write(doc, ms);
            return System.Text.Encoding.UTF8.GetString(ms.ToArray()) + PlanMarkdown.Render(doc);
        }
        Assert.Equal(Render(), Render());

        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "plan.json");
        var doc1 = Planner().Build([Leak(a, Now.AddDays(-5))], facts, []);
        using (var f = File.Create(file)) PlanJson.Write(doc1, f);
        var back = PlanJson.Read(file);
        Assert.Equal(doc1.Plans[0].Steps.Select(s => (s.Id, s.Action, s.Automatable)), back.Plans[0].Steps.Select(s => (s.Id, s.Action, s.Automatable)));
        Assert.Equal(doc1.Generated, back.Generated);
    }
}
