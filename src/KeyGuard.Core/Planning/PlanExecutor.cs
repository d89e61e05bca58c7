using System.Text.Json;

namespace KeyGuard.Planning;

/// <summary>The IAM calls apply needs. Every call names the user: without it IAM acts on the caller's own key.</summary>
public interface IKeyMutations
{
    /// <summary>The key's status and last use, or null when the user has no such key (deleted).</summary>
    Task<(string Status, DateTimeOffset? LastUsed)?> GetKeyAsync(string userName, string keyId, CancellationToken ct);
    Task DeactivateAsync(string userName, string keyId, CancellationToken ct);
    Task<(string KeyId, string Secret)> CreateAsync(string userName, CancellationToken ct);
    Task DeleteAsync(string userName, string keyId, CancellationToken ct);
}

public sealed class ApplyOptions
{
    public bool Yes { get; init; }
    public bool ForceDelete { get; init; }
    public int RecentUseDays { get; init; } = 7;
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>Where new keys' secrets go (mode 0600). Without it, create steps are skipped: secrets are never printed.</summary>
    public string? NewKeysFile { get; init; }
    public required string AuditLog { get; init; }
    /// <summary>Only these actions (empty: all automatable ones).</summary>
    public IReadOnlySet<StepAction> Only { get; init; } = new HashSet<StepAction>();
}

public sealed record ApplyOutcome(string KeyId, string StepId, string Action, string Result, string Detail);

/// <summary>
/// Carries out the automatable steps of a plan: deactivate, create, delete. Shows them first and changes nothing
/// without Yes; idempotent (checks IAM state before each call); refuses root and other accounts' keys; never deletes
/// a recently used key unless forced; writes a JSON-lines audit log; stops at the first failure.
/// </summary>
public sealed class PlanExecutor(IKeyMutations iam, ApplyOptions options, TextWriter log)
{
    private static readonly StepAction[] Automatable = [StepAction.Deactivate, StepAction.Create, StepAction.Delete];

    public IEnumerable<(KeyPlan Plan, PlanStep Step)> Actions(PlanDocument plan) =>
        from p in plan.Plans
        from s in p.Steps
        where s.Automatable && Automatable.Contains(s.Action) && (options.Only.Count == 0 || options.Only.Contains(s.Action))
        select (p, s);

    public async Task<(List<ApplyOutcome> Outcomes, bool Failed)> RunAsync(PlanDocument plan, CancellationToken ct)
    {
        var outcomes = new List<ApplyOutcome>();
        var previous = PreviousCreates();
        foreach (var (p, s) in Actions(plan))
        {
            ApplyOutcome outcome;
            try { outcome = await RunStepAsync(p, s, previous, ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcome = new ApplyOutcome(p.KeyId, s.Id, JsonName(s.Action), "failed", e.Message);
                Audit(p, s, outcome);
                outcomes.Add(outcome);
                return (outcomes, true);
            }
            Audit(p, s, outcome);
            outcomes.Add(outcome);
        }
        return (outcomes, false);
    }

    private async Task<ApplyOutcome> RunStepAsync(KeyPlan p, PlanStep s, HashSet<string> previousCreates, CancellationToken ct)
    {
        ApplyOutcome Result(string result, string detail) => new(p.KeyId, s.Id, JsonName(s.Action), result, detail);
        if (p.Kind == "root") return Result("refused", "root keys cannot be changed through IAM user calls; follow the manual steps");
        if (p.Kind == "foreign") return Result("refused", "the key belongs to another account");
        if (p.UserName is not { Length: > 0 } user) return Result("refused", "the plan does not name the key's user");
        if (!options.Yes) return Result("planned", s.Cli ?? s.Title);

        switch (s.Action)
        {
            case StepAction.Deactivate:
            {
                var state = await iam.GetKeyAsync(user, p.KeyId, ct);
                if (state == null) return Result("skipped", $"{p.KeyId} no longer exists for {user}");
                if (!string.Equals(state.Value.Status, "Active", StringComparison.OrdinalIgnoreCase)) return Result("skipped", $"{p.KeyId} is already {state.Value.Status}");
                await iam.DeactivateAsync(user, p.KeyId, ct);
                return Result("done", $"deactivated {p.KeyId} of {user}");
            }
            case StepAction.Create:
            {
                if (previousCreates.Contains(p.KeyId)) return Result("skipped", $"a replacement for {p.KeyId} was already created (audit log)");
                if (options.NewKeysFile == null) return Result("skipped", "pass --new-keys FILE to create replacement keys (their secrets are written there, never printed)");
                var (newId, secret) = await iam.CreateAsync(user, ct);
                SaveNewKey(user, p.KeyId, newId, secret);
                return Result("done", $"created {newId} for {user}; its secret is in {options.NewKeysFile}");
            }
            case StepAction.Delete:
            {
                var state = await iam.GetKeyAsync(user, p.KeyId, ct);
                if (state == null) return Result("skipped", $"{p.KeyId} is already deleted");
                if (state.Value.LastUsed is { } used && (options.Now - used).TotalDays < options.RecentUseDays && !options.ForceDelete)
                    return Result("refused", $"{p.KeyId} was used on {used.UtcDateTime:yyyy-MM-dd}, within {options.RecentUseDays} days; pass --force-delete to delete it anyway");
                await iam.DeleteAsync(user, p.KeyId, ct);
                return Result("done", $"deleted {p.KeyId} of {user}");
            }
            default:
                return Result("skipped", "not automatable");
        }
    }

    private static string JsonName(StepAction a) => PlanJson.ActionName(a);

    private HashSet<string> PreviousCreates()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(options.AuditLog)) return set;
        foreach (var line in File.ReadLines(options.AuditLog))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                if (r.GetProperty("action").GetString() == "create" && r.GetProperty("result").GetString() == "done")
                    set.Add(r.GetProperty("key").GetString()!);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
        }
        return set;
    }

    private void Audit(KeyPlan p, PlanStep s, ApplyOutcome o)
    {
        log.WriteLine($"{o.Result,-8} {o.Action,-10} {p.KeyId}  {o.Detail}");
        if (!options.Yes) return;
        using var stream = SecureFile.OpenAppend(options.AuditLog, FileShare.Read);
        using var w = new Utf8JsonWriter(stream);
        w.WriteStartObject();
        w.WriteString("time", options.Now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        w.WriteString("recorded", DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"));
        w.WriteString("step", s.Id);
        w.WriteString("action", o.Action);
        w.WriteString("call", s.Api);
        w.WriteString("key", p.KeyId);
        w.WriteString("user", p.UserName);
        w.WriteString("result", o.Result);
        w.WriteString("detail", o.Detail);
        w.WriteEndObject();
        w.Flush();
        stream.WriteByte((byte)'\n');
    }

    private void SaveNewKey(string user, string replaces, string keyId, string secret)
    {
        var path = options.NewKeysFile!;
        using var stream = SecureFile.OpenAppend(path, FileShare.None);
        using var w = new Utf8JsonWriter(stream);
        w.WriteStartObject();
        w.WriteString("user", user);
        w.WriteString("replaces", replaces);
        w.WriteString("accessKeyId", keyId);
        w.WriteString("secretAccessKey", secret);
        w.WriteEndObject();
        w.Flush();
        stream.WriteByte((byte)'\n');
    }
}
