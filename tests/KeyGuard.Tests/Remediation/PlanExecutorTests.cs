using System.Text.Json;
using KeyGuard.Findings;
using KeyGuard.Planning;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Remediation;

/// <summary>apply's rules against an in-memory IAM; the emulator-backed end-to-end test lives with the CLI tests.</summary>
public sealed class PlanExecutorTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new();
    private readonly FakeCredentials _fake = new(5);

    public void Dispose() => _dir.Dispose();

    private sealed class MemoryIam : IKeyMutations
    {
        public readonly Dictionary<(string User, string Key), (string Status, DateTimeOffset? LastUsed)> Keys = [];
        public readonly List<string> Calls = [];
        public string? FailOn;
        private int _created;

        public Task<(string Status, DateTimeOffset? LastUsed)?> GetKeyAsync(string user, string key, CancellationToken ct) =>
            Task.FromResult(Keys.TryGetValue((user, key), out var v) ? v : ((string, DateTimeOffset?)?)null);
        public readonly Dictionary<string, DateTimeOffset> Created = [];
        public readonly Dictionary<string, string> Policies = [];
        public Task<IReadOnlyList<(string KeyId, DateTimeOffset Created)>> ListKeysAsync(string user, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<(string, DateTimeOffset)>>(Keys.Keys.Where(k => k.User == user).Select(k => (k.Key, Created.GetValueOrDefault(k.Key, DateTimeOffset.MinValue))).ToList());
        public Task<IReadOnlyList<string>> ListUserPolicyNamesAsync(string user, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<string>>(Policies.Keys.Where(k => k.StartsWith(user + "/", StringComparison.Ordinal)).Select(k => k[(user.Length + 1)..]).ToList());
        public Task PutUserPolicyAsync(string user, string name, string document, CancellationToken ct)
        {
            Calls.Add($"PutUserPolicy {user} {name}");
            Policies[$"{user}/{name}"] = document;
            return Task.CompletedTask;
        }
        public Task DeactivateAsync(string user, string key, CancellationToken ct)
        {
            Calls.Add($"UpdateAccessKey {user} {key} Inactive");
            if (FailOn == "deactivate") throw new InvalidOperationException("AccessDenied: iam:UpdateAccessKey");
            Keys[(user, key)] = ("Inactive", Keys[(user, key)].LastUsed);
            return Task.CompletedTask;
        }
        public Task<(string, string)> CreateAsync(string user, CancellationToken ct)
        {
            Calls.Add($"CreateAccessKey {user}");
            if (FailOn == "create") throw new InvalidOperationException("LimitExceeded: user already has two keys");
            var id = "NEWKEY" + (++_created);
            Keys[(user, id)] = ("Active", null);
            return Task.FromResult((id, "new-secret-" + _created));
        }
        public Task DeleteAsync(string user, string key, CancellationToken ct)
        {
            Calls.Add($"DeleteAccessKey {user} {key}");
            Keys.Remove((user, key));
            return Task.CompletedTask;
        }
    }

    private PlanDocument PlanFor(string leaked, string user, DateTimeOffset? lastUsed, string status = "Active")
    {
        var facts = new Dictionary<string, KeyFacts>
        {
            [leaked] = new() { KeyId = leaked, Ownership = Ownership.Ours, Account = "123456789012", UserName = user, Status = status == "Active" ? KeyStatus.Active : KeyStatus.Inactive, CreateDate = Now.AddDays(-300), LastUsedDate = lastUsed, LastUsedService = "s3", LastUsedRegion = "us-east-1" },
        };
        var leak = new LeakedKey(leaked, "123456789012", [new LeakLocation(".env", 1, null, Now.AddDays(-1))], Now.AddDays(-1), true, false, []);
        return new Planner(new PlanOptions { Now = Now }).Build([leak], facts, []);
    }

    private ApplyOptions Options(bool yes, bool force = false, string? newKeys = null, DateTimeOffset? now = null, bool onlyDelete = false) => new()
    {
        Yes = yes, ForceDelete = force, Now = now ?? Now, AuditLog = Path.Combine(_dir.Path, "audit.jsonl"), NewKeysFile = newKeys,
        Only = onlyDelete ? new HashSet<StepAction> { StepAction.Delete } : new HashSet<StepAction>(),
    };

    [Fact]
    public async Task Without_yes_nothing_changes_and_the_steps_are_shown()
    {
        var key = _fake.KeyId();
        var iam = new MemoryIam();
        iam.Keys[("alice", key)] = ("Active", Now.AddDays(-30));
        var shown = new StringWriter();
        var (outcomes, failed) = await new PlanExecutor(iam, Options(yes: false), shown).RunAsync(PlanFor(key, "alice", Now.AddDays(-30)), default);
        Assert.False(failed);
        Assert.Empty(iam.Calls);
        Assert.All(outcomes.Where(o => o.Action != "create"), o => Assert.Equal("planned", o.Result));
        // Without --new-keys a real run skips the create step: the dry run says so instead of promising it.
        Assert.Equal("skipped", outcomes.Single(o => o.Action == "create").Result);
        Assert.Contains("--new-keys", outcomes.Single(o => o.Action == "create").Detail);
        Assert.Contains("update-access-key --user-name alice", shown.ToString());
        Assert.False(File.Exists(Path.Combine(_dir.Path, "audit.jsonl")));
    }

    [Fact]
    public async Task With_yes_it_deactivates_exactly_the_planned_key_of_the_right_user_and_a_rerun_changes_nothing()
    {
        var key = _fake.KeyId(); var other = _fake.KeyId();
        var iam = new MemoryIam();
        iam.Keys[("alice", key)] = ("Active", Now.AddDays(-30));
        iam.Keys[("alice", other)] = ("Active", Now.AddDays(-1));
        iam.Keys[("bob", key)] = ("Active", null); // same ID under another user must not be touched
        var newKeys = Path.Combine(_dir.Path, "new-keys.jsonl");
        var plan = PlanFor(key, "alice", Now.AddDays(-30));
        var (first, failed) = await new PlanExecutor(iam, Options(yes: true, newKeys: newKeys), TextWriter.Null).RunAsync(plan, default);
        Assert.False(failed);
        // Deleting cannot be undone: the same run only deactivates and replaces; the delete waits its days.
        Assert.Equal([$"UpdateAccessKey alice {key} Inactive", $"PutUserPolicy alice keyguard-revoke-{key}", "CreateAccessKey alice"], iam.Calls);
        Assert.Equal("deferred", first.Single(o => o.Action == "delete").Result);
        var (early, _) = await new PlanExecutor(iam, Options(yes: true, newKeys: newKeys, now: Now.AddDays(6)), TextWriter.Null).RunAsync(plan, default);
        Assert.Equal("deferred", early.Single(o => o.Action == "delete").Result);
        Assert.DoesNotContain(iam.Calls, c => c.StartsWith("DeleteAccessKey"));
        var (due, _) = await new PlanExecutor(iam, Options(yes: true, newKeys: newKeys, now: Now.AddDays(7)), TextWriter.Null).RunAsync(plan, default);
        Assert.Equal("done", due.Single(o => o.Action == "delete").Result);
        Assert.Equal([$"UpdateAccessKey alice {key} Inactive", $"PutUserPolicy alice keyguard-revoke-{key}", "CreateAccessKey alice", $"DeleteAccessKey alice {key}"], iam.Calls);
        Assert.Equal("Active", iam.Keys[("alice", other)].Status);
        Assert.Equal("Active", iam.Keys[("bob", key)].Status);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(newKeys));
        Assert.Contains("new-secret-1", File.ReadAllText(newKeys));
        Assert.DoesNotContain(first, o => o.Detail.Contains("new-secret"));

        iam.Calls.Clear();
        var (second, _) = await new PlanExecutor(iam, Options(yes: true, newKeys: newKeys), TextWriter.Null).RunAsync(plan, default);
        Assert.Empty(iam.Calls);
        Assert.All(second, o => Assert.Equal("skipped", o.Result));
    }

    [Fact]
    public async Task A_recently_used_key_is_not_deleted_unless_forced()
    {
        var key = _fake.KeyId();
        var iam = new MemoryIam();
        iam.Keys[("alice", key)] = ("Active", Now.AddDays(-2));
        var (outcomes, _) = await new PlanExecutor(iam, Options(yes: true), TextWriter.Null).RunAsync(PlanFor(key, "alice", Now.AddDays(-2)), default);
        Assert.Equal("deferred", outcomes.Single(o => o.Action == "delete").Result);
        Assert.Equal("skipped", outcomes.Single(o => o.Action == "create").Result); // no --new-keys file: secrets are never printed
        var (asked, _) = await new PlanExecutor(iam, Options(yes: true, onlyDelete: true), TextWriter.Null).RunAsync(PlanFor(key, "alice", Now.AddDays(-2)), default);
        Assert.Equal("refused", asked.Single(o => o.Action == "delete").Result);   // asked for, but used two days ago
        Assert.True(iam.Keys.ContainsKey(("alice", key)));
        var (forced, _) = await new PlanExecutor(iam, Options(yes: true, force: true), TextWriter.Null).RunAsync(PlanFor(key, "alice", Now.AddDays(-2)), default);
        Assert.Equal("done", forced.Single(o => o.Action == "delete").Result);
        Assert.False(iam.Keys.ContainsKey(("alice", key)));
    }

    [Fact]
    public async Task A_failure_stops_the_run_and_the_audit_log_tells_the_truth()
    {
        var key = _fake.KeyId();
        var iam = new MemoryIam { FailOn = "create" };
        iam.Keys[("alice", key)] = ("Active", Now.AddDays(-30));
        var (outcomes, failed) = await new PlanExecutor(iam, Options(yes: true, newKeys: Path.Combine(_dir.Path, "k.jsonl")), TextWriter.Null)
            .RunAsync(PlanFor(key, "alice", Now.AddDays(-30)), default);
        Assert.True(failed);
        Assert.Equal(["done", "done", "failed"], outcomes.Select(o => o.Result));
        Assert.DoesNotContain(iam.Calls, c => c.StartsWith("DeleteAccessKey"));
        var audit = File.ReadAllLines(Path.Combine(_dir.Path, "audit.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, audit.Count);
        Assert.Equal(("deactivate", "done", "alice", key), (audit[0].GetProperty("action").GetString(), audit[0].GetProperty("result").GetString(), audit[0].GetProperty("user").GetString(), audit[0].GetProperty("key").GetString()));
        Assert.Equal(("revoke-sessions", "done"), (audit[1].GetProperty("action").GetString(), audit[1].GetProperty("result").GetString()));
        Assert.Equal("failed", audit[2].GetProperty("result").GetString());
        Assert.Contains("LimitExceeded", audit[2].GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Root_and_foreign_plans_are_refused()
    {
        var plan = new PlanDocument(1, Now,
        [
            new KeyPlan("root/key1", "root", "critical", null, "<root_account>", null, [], [new("x", StepAction.Deactivate, "t", "r", null, null, true)]),
            new KeyPlan(_fake.KeyId(), "foreign", "low", "999988887777", "someone", null, [], [new("y", StepAction.Delete, "t", "r", null, null, true)]),
        ]);
        var iam = new MemoryIam();
        var (outcomes, _) = await new PlanExecutor(iam, Options(yes: true), TextWriter.Null).RunAsync(plan, default);
        Assert.All(outcomes, o => Assert.Equal("refused", o.Result));
        Assert.Empty(iam.Calls);
    }
}
