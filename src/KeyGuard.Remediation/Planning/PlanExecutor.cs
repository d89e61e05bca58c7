using System.Text.Json;

namespace KeyGuard.Planning;

/// <summary>The IAM calls apply needs. Every call names the user: without it IAM acts on the caller's own key.</summary>
internal interface IKeyMutations
{
    /// <summary>The key's status and last use, or null when the user has no such key (deleted).</summary>
    Task<(string Status, DateTimeOffset? LastUsed)?> GetKeyAsync(string userName, string keyId, CancellationToken ct);
    /// <summary>The user's access keys and when each was made (read before every create, and after one whose answer was lost).</summary>
    Task<IReadOnlyList<(string KeyId, DateTimeOffset Created)>> ListKeysAsync(string userName, CancellationToken ct);
    /// <summary>The names of the user's inline policies.</summary>
    Task<IReadOnlyList<string>> ListUserPolicyNamesAsync(string userName, CancellationToken ct);
    Task PutUserPolicyAsync(string userName, string policyName, string document, CancellationToken ct);
    Task DeactivateAsync(string userName, string keyId, CancellationToken ct);
    Task<(string KeyId, string Secret)> CreateAsync(string userName, CancellationToken ct);
    Task DeleteAsync(string userName, string keyId, CancellationToken ct);
}

internal sealed class ApplyOptions
{
    public bool Yes { get; init; }
    public bool ForceDelete { get; init; }
    public int RecentUseDays { get; init; } = 7;
    /// <summary>A key is deleted only this many days after apply deactivated it (the audit log says when), unless the
    /// run was asked for deletion alone (<c>--only delete</c>) or forced: deletion cannot be undone, deactivation can.</summary>
    public int DeleteAfterDays { get; init; } = 7;
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>Where new keys' secrets go (mode 0600). Without it, create steps are skipped: secrets are never printed.</summary>
    public string? NewKeysFile { get; init; }
    public required string AuditLog { get; init; }
    /// <summary>Only these actions (empty: all automatable ones).</summary>
    public IReadOnlySet<StepAction> Only { get; init; } = new HashSet<StepAction>();
    /// <summary>The access key ID apply signs its calls with: never deactivated or deleted (every later call would fail).</summary>
    public string? OperatorKeyId { get; init; }
}

/// <param name="UnknownKeys">Keys that appeared after a CreateAccessKey whose answer was lost: nobody holds their secrets.</param>
internal sealed record ApplyOutcome(string KeyId, string StepId, string Action, string Result, string Detail, IReadOnlyList<string>? UnknownKeys = null);

/// <summary>
/// Carries out the automatable steps of a plan: deactivate, revoke sessions, create, delete. Shows them first and
/// changes nothing without Yes; idempotent (checks IAM state before each call, so reruns, lost answers and other
/// machines never make a second replacement key); refuses root and other accounts' keys and its own signing key; never
/// deletes a recently used key unless forced; writes a JSON-lines audit log; stops at the first failure.
/// </summary>
internal sealed class PlanExecutor(IKeyMutations iam, ApplyOptions options, TextWriter log)
{
    private static readonly StepAction[] Automatable = [StepAction.Deactivate, StepAction.RevokeSessions, StepAction.Create, StepAction.Delete];

    public IEnumerable<(KeyPlan Plan, PlanStep Step)> Actions(PlanDocument plan) =>
        from p in plan.Plans
        from s in p.Steps
        where s.Automatable && Automatable.Contains(s.Action) && (options.Only.Count == 0 || options.Only.Contains(s.Action))
        select (p, s);

    public async Task<(List<ApplyOutcome> Outcomes, bool Failed)> RunAsync(PlanDocument plan, CancellationToken ct)
    {
        if (options.Yes && options.NewKeysFile != null) RefuseSharedNewKeysFile(options.NewKeysFile);
        var outcomes = new List<ApplyOutcome>();
        var previous = PreviousCreates();
        foreach (var (p, s) in Actions(plan))
        {
            ApplyOutcome outcome;
            try { outcome = await RunStepAsync(plan, p, s, previous, ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcome = new ApplyOutcome(p.KeyId, s.Id, JsonName(s.Action), "failed", e.Message);
            }
            Audit(p, s, outcome);
            outcomes.Add(outcome);
            if (outcome.Result is "failed" or "unknown-outcome") return (outcomes, true);
        }
        return (outcomes, false);
    }

    /// <summary>
    /// New secrets are appended to --new-keys: an existing file that its group or others may read or write would
    /// expose them (apply creates the file 0600, but an existing one keeps its mode). Checked before any IAM call.
    /// </summary>
    public static void RefuseSharedNewKeysFile(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return;
        const UnixFileMode shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                    UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & shared) != 0)
            throw new InvalidInputException($"--new-keys: {path} is open to its group or others (mode {Convert.ToString((int)mode, 8)}); chmod 600 it or name a new file");
    }

    private async Task<ApplyOutcome> RunStepAsync(PlanDocument plan, KeyPlan p, PlanStep s, HashSet<string> previousCreates, CancellationToken ct)
    {
        ApplyOutcome Result(string result, string detail) => new(p.KeyId, s.Id, JsonName(s.Action), result, detail);
        if (p.Kind == "root") return Result("refused", "root keys cannot be changed through IAM user calls; follow the manual steps");
        if (p.Kind == "foreign") return Result("refused", "the key belongs to another account");
        if (p.UserName is not { Length: > 0 } user) return Result("refused", "the plan does not name the key's user");
        if (s.Action is StepAction.Deactivate or StepAction.Delete && p.KeyId == options.OperatorKeyId)
            return Result("refused", $"{p.KeyId} is the key apply signs its calls with: {JsonName(s.Action)} it would make every later step fail; rerun with other credentials to contain it");
        // A dry run says what a real run would skip, so "planned" never promises a key that will not be made.
        if (s.Action == StepAction.Create && options.NewKeysFile == null)
            return Result("skipped", "pass --new-keys FILE to create replacement keys (their secrets are written there, never printed)");
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
            case StepAction.RevokeSessions:
            {
                string name = RevokeSessionsPolicy.Name(p.KeyId);
                if ((await iam.ListUserPolicyNamesAsync(user, ct)).Contains(name, StringComparer.Ordinal))
                    return Result("skipped", $"{user} already has the inline policy {name}");
                await iam.PutUserPolicyAsync(user, name, RevokeSessionsPolicy.Document(plan.Generated), ct);
                return Result("done", $"attached {name} to {user}: sessions issued before {plan.Generated.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} are denied");
            }
            case StepAction.Create:
            {
                if (previousCreates.Contains(p.KeyId)) return Result("skipped", $"a replacement for {p.KeyId} was already created (audit log)");
                if (options.NewKeysFile == null) return Result("skipped", "pass --new-keys FILE to create replacement keys (their secrets are written there, never printed)");
                // IAM itself says whether a replacement exists: any other key of the user made since the plan was
                // written, by an earlier run, another machine, or a create whose answer was lost.
                var before = await iam.ListKeysAsync(user, ct);
                var since = plan.Generated.AddTicks(-(plan.Generated.Ticks % TimeSpan.TicksPerSecond));
                if (before.Where(k => k.KeyId != p.KeyId && k.Created >= since).OrderBy(k => k.Created).FirstOrDefault() is { KeyId: { } made } existing)
                {
                    if (LostSecrets().Contains(made))
                        return Result("refused", $"{made} was created for {user} by an earlier apply whose answer was lost, so nobody has its secret: " +
                                                 $"delete it (aws iam delete-access-key --user-name {user} --access-key-id {made}), then rerun to create a replacement");
                    return Result("skipped", $"{user} already has {made}, created {existing.Created.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z after this plan was made: " +
                                             "that is the replacement (its secret is wherever the run that made it wrote it)");
                }
                // CreateAccessKey is sent once (never retried). If its answer may have been lost, the keys listed
                // before and after tell whether IAM created one anyway: such a key is active and nobody has its secret.
                string newId, secret;
                try { (newId, secret) = await iam.CreateAsync(user, ct); }
                catch (Aws.IamException e) when (e.OutcomeUnknown)
                {
                    IReadOnlyList<(string KeyId, DateTimeOffset Created)> after;
                    try { after = await iam.ListKeysAsync(user, ct); }
                    catch (Aws.IamException again)
                    {
                        return Result("unknown-outcome", $"{e.Message}; the keys of {user} could not be listed afterwards ({again.Message}): " +
                            $"check 'aws iam list-access-keys --user-name {user}' for a key created now, whose secret nobody has, and delete it");
                    }
                    var unknown = after.Select(k => k.KeyId).Except(before.Select(k => k.KeyId), StringComparer.Ordinal).ToList();
                    if (unknown.Count == 0) throw; // IAM created nothing: an ordinary failure
                    return Result("unknown-outcome",
                        $"{e.Message}; IAM created {string.Join(", ", unknown)} for {user} anyway and its secret was lost: delete it " +
                        $"({string.Join("; ", unknown.Select(k => $"aws iam delete-access-key --user-name {user} --access-key-id {k}"))}), then rerun") with { UnknownKeys = unknown };
                }
                SaveNewKey(user, p.KeyId, newId, secret);
                return Result("done", $"created {newId} for {user}; its secret is in {options.NewKeysFile}");
            }
            case StepAction.Delete:
            {
                var state = await iam.GetKeyAsync(user, p.KeyId, ct);
                if (state == null) return Result("skipped", $"{p.KeyId} is already deleted");
                bool deleteAsked = options.Only.Count == 1 && options.Only.Contains(StepAction.Delete);
                if (!deleteAsked && !options.ForceDelete)
                {
                    var deactivated = DeactivatedAt(p.KeyId);
                    if (deactivated == null || (options.Now - deactivated.Value).TotalDays < options.DeleteAfterDays)
                    {
                        var from = (deactivated ?? options.Now).AddDays(options.DeleteAfterDays);
                        return Result("deferred", $"{p.KeyId} is deleted {options.DeleteAfterDays} days after apply deactivated it, once nothing broke and what it did " +
                                                  $"was reviewed: rerun apply on or after {from.UtcDateTime:yyyy-MM-dd}, or 'apply --only delete' to delete it now");
                    }
                }
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

    /// <summary>When apply deactivated <paramref name="keyId"/>, from the audit log (null: never, as far as it knows).</summary>
    private DateTimeOffset? DeactivatedAt(string keyId)
    {
        DateTimeOffset? at = null;
        foreach (var r in AuditLog())
            if (r is { Action: "deactivate", Result: "done" } && r.Key == keyId
                && DateTimeOffset.TryParse(r.Time, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
                at = at == null || t < at ? t : at;
        return at;
    }

    private HashSet<string> PreviousCreates() =>
        AuditLog().Where(r => r is { Action: "create", Result: "done", Key: not null }).Select(r => r.Key!).ToHashSet(StringComparer.Ordinal);

    /// <summary>Keys created by a CreateAccessKey whose answer was lost (audit log "unknownKeys"): nobody has their secrets.</summary>
    private HashSet<string> LostSecrets() =>
        AuditLog().SelectMany(r => r.UnknownKeys ?? []).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>The audit log's records; a line that is not one (cut short by a crash, edited by hand) is passed over.</summary>
    private IEnumerable<AuditRecord> AuditLog()
    {
        if (!File.Exists(options.AuditLog)) yield break;
        foreach (var line in File.ReadLines(options.AuditLog))
        {
            AuditRecord? record;
            try { record = JsonSerializer.Deserialize(line, PlanJsonContext.Default.AuditRecord); }
            catch (JsonException) { continue; }
            if (record != null) yield return record;
        }
    }

    private void Audit(KeyPlan p, PlanStep s, ApplyOutcome o)
    {
        log.WriteLine($"{o.Result,-8} {o.Action,-10} {p.KeyId}  {o.Detail}");
        if (!options.Yes) return;
        var record = new AuditRecord(options.Now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"), DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
            s.Id, o.Action, s.Api, p.KeyId, p.UserName, o.Result, o.Detail, o.UnknownKeys is { Count: > 0 } unknown ? unknown : null);
        AppendLine(SecureFile.OpenAppend(options.AuditLog, FileShare.Read), record, PlanJsonContext.Default.AuditRecord);
    }

    private void SaveNewKey(string user, string replaces, string keyId, string secret) =>
        AppendLine(SecureFile.OpenAppend(options.NewKeysFile!, FileShare.None), new NewKeyRecord(user, replaces, keyId, secret), PlanJsonContext.Default.NewKeyRecord);

    /// <summary>One JSON object on one line (a plain writer: the context's indentation is for plan files).</summary>
    private static void AppendLine<T>(Stream stream, T record, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        using (stream)
        {
            using (var w = new Utf8JsonWriter(stream)) JsonSerializer.Serialize(w, record, type);
            stream.WriteByte((byte)'\n');
        }
    }
}
