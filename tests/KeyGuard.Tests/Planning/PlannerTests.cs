using KeyGuard.Planning;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Planning;

public sealed class PlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeCredentials _fake = new(11);
    private Planner Planner() => new(new PlanOptions { Now = Now });

    private LeakedKey Leak(string id, DateTimeOffset? since, bool secret = true) =>
        new(id, "123456789012", [new LeakLocation("app/.env", 3, "abc123def4567890", since)], since, secret, false, []);

    private static KeyFactsForPlan Ours(string id, string status, DateTimeOffset? lastUsed, string user = "deploy-bot") =>
        new(id, Ownership.Ours, "123456789012", user, status, Now.AddDays(-400), lastUsed, "s3", "eu-west-1", false);

    [Fact]
    public void Leaked_active_key_is_contained_then_investigated_replaced_and_eradicated()
    {
        var id = _fake.KeyId();
        var plan = Planner().Build([Leak(id, Now.AddDays(-3))], new Dictionary<string, KeyFactsForPlan> { [id] = Ours(id, "Active", Now.AddDays(-10)) }, []).Plans.Single();
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
        Assert.Contains("--region eu-west-1", plan.Steps[2].Cli);
        Assert.Contains("describe-regions", plan.Steps[2].Cli);   // then every other region
        Assert.Contains(plan.Evidence, e => e.StartsWith("exposed since 2026-11-25"));
    }

    [Fact]
    public void Use_after_the_leak_is_said_first_and_loudly()
    {
        var id = _fake.KeyId();
        var plan = Planner().Build([Leak(id, Now.AddDays(-20))], new Dictionary<string, KeyFactsForPlan> { [id] = Ours(id, "Active", Now.AddDays(-2)) }, []).Plans.Single();
        Assert.StartsWith("POSSIBLE MISUSE", plan.Alert);
        Assert.Contains("s3 in eu-west-1", plan.Alert);
        Assert.Contains("after it leaked on 2026-11-08", plan.Alert);
        Assert.Equal("investigate-first", plan.Steps[0].Id);
        Assert.StartsWith("# KeyGuard remediation plan", PlanMarkdown.Render(new PlanDocument(1, Now, [plan])));
        Assert.Contains("Possible misuse", PlanMarkdown.Render(new PlanDocument(1, Now, [plan])));
    }

    [Fact]
    public void Inactive_leaked_key_is_not_deactivated_again_but_deleted()
    {
        var id = _fake.KeyId();
        var plan = Planner().Build([Leak(id, Now.AddDays(-3))], new Dictionary<string, KeyFactsForPlan> { [id] = Ours(id, "Inactive", Now.AddDays(-100)) }, []).Plans.Single();
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
        var facts = new Dictionary<string, KeyFactsForPlan>
        {
            [foreign] = new(foreign, Ownership.OtherAccount, "999988887777", null, null, null, null, null, null, null),
            [root] = new(root, Ownership.Ours, "123456789012", "<root_account>", "Active", null, null, null, null, null, IsRoot: true),
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
        var plans = Planner().Build([], new Dictionary<string, KeyFactsForPlan>(), report).Plans;
        Assert.Equal(["idle/key1", "old-bot/key1"], plans.Select(p => p.KeyId).Order());
        Assert.Equal("stale-rotate", plans.Single(p => p.KeyId == "old-bot/key1").Kind);
        Assert.Equal("stale-unused", plans.Single(p => p.KeyId == "idle/key1").Kind);
        Assert.Contains(plans.Single(p => p.KeyId == "old-bot/key1").Evidence, e => e.Contains("CIS 1.14"));
    }

    [Fact]
    public void Plans_are_deterministic_and_round_trip_through_json()
    {
        var a = _fake.KeyId(); var b = _fake.KeyId();
        var facts = new Dictionary<string, KeyFactsForPlan> { [a] = Ours(a, "Active", Now.AddDays(-1)), [b] = Ours(b, "Inactive", null, "other") };
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
