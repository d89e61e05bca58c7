using System.Globalization;
using KeyGuard.Aws;
using KeyGuard.Enrichment;
using KeyGuard.Findings;

namespace KeyGuard.Planning;

/// <summary>
/// Joins leaks, IAM facts and the credential report into one plan per key (aws-iam.md §6). Pure and deterministic:
/// the same inputs and clock give the same plan, byte for byte. The plan's kind fits the key: a working key of ours is
/// contained and replaced; a session key's principal is found and its sessions revoked; a deleted key is only confirmed
/// and cleaned up; a canary or another account's key is reported, never touched. Severity is the key's own
/// (<see cref="SeverityRules"/>), the same as `inspect` and `scan --verify` say. No command holds a placeholder: what
/// is not known is looked up inside the command itself.
/// </summary>
internal sealed class Planner(PlanOptions options)
{
    private static string Day(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private int DaysSince(DateTimeOffset d) => (int)Math.Floor((options.Now - d).TotalDays);

    public PlanDocument Build(IEnumerable<LeakedKey> leaks, IReadOnlyDictionary<string, KeyFacts> facts, IEnumerable<ReportKey> report)
    {
        var reportKeys = report.ToList();
        var slotsById = new Dictionary<string, ReportKey>(StringComparer.Ordinal);
        foreach (var k in reportKeys) if (k.KeyId != null) slotsById.TryAdd(k.KeyId, k);

        var plans = new List<KeyPlan>();
        var planned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var leak in leaks.OrderBy(l => l.KeyId, StringComparer.Ordinal))
        {
            var f = facts.TryGetValue(leak.KeyId, out var known) ? known : KeyFacts.Offline(leak.KeyId, leak.Account);
            f = f with { CanarySource = f.CanarySource ?? CanaryAccounts.SourceOf(f.Account ?? leak.Account) };
            plans.Add(ForLeak(leak, f, slotsById.GetValueOrDefault(leak.KeyId)));
            planned.Add(leak.KeyId);
            if (f.UserName != null) planned.Add(SlotKey(f.UserName, f.CreateDate));
        }
        foreach (var key in reportKeys.OrderBy(k => k.User, StringComparer.Ordinal).ThenBy(k => k.Slot))
        {
            if (key.KeyId != null ? planned.Contains(key.KeyId) : planned.Contains(SlotKey(key.User, key.LastRotated))) continue;
            if (ForReportKey(key) is { } p) plans.Add(p);
        }

        var order = new Dictionary<string, int> { ["critical"] = 0, ["high"] = 1, ["medium"] = 2, ["low"] = 3 };
        var sorted = plans.OrderBy(p => p.Alert == null ? 1 : 0).ThenBy(p => order.GetValueOrDefault(p.Severity, 4))
            .ThenBy(p => p.KeyId, StringComparer.Ordinal).ToList();
        return new PlanDocument(1, options.Now, sorted);
    }

    /// <summary>
    /// The plan for the key KeyGuard itself signs with gets an alert (reliability B14): deactivating it first would make
    /// every later step of apply fail, so apply refuses it and it must be contained by hand, with other credentials.
    /// </summary>
    public static PlanDocument WarnAboutSigningKey(PlanDocument plan, string? signingKeyId)
    {
        if (signingKeyId == null || !plan.Plans.Any(p => p.KeyId == signingKeyId)) return plan;
        var warned = plan.Plans.Select(p => p.KeyId != signingKeyId ? p : p with
        {
            Alert = $"{p.KeyId} is the key KeyGuard is signing with (your own credentials): apply will not deactivate or delete it; " +
                    "contain it with other credentials, after the other keys" + (p.Alert is { } earlier ? ". " + earlier : ""),
        });
        return plan with { Plans = warned.OrderBy(p => p.Alert == null ? 1 : 0).ToList() };
    }

    private static string SlotKey(string user, DateTimeOffset? created) => $"{user}@{created?.UtcDateTime:yyyy-MM-ddTHH:mm}";

    private static string Name(Severity s) => KeyFactsJson.SeverityName(s);

    private KeyPlan ForLeak(LeakedKey leak, KeyFacts f, ReportKey? slot)
    {
        var evidence = new List<string>();
        var where = leak.Locations.Take(3).Select(l => l.Commit != null ? $"{l.Path}:{l.Line} in commit {l.Commit[..Math.Min(12, l.Commit.Length)]}" : $"{l.Path}:{l.Line}");
        evidence.Add($"leaked at {string.Join(", ", where)}{(leak.Locations.Count > 3 ? $" and {leak.Locations.Count - 3} more places" : "")}");
        if (leak.FirstSeen is { } seen) evidence.Add($"exposed since {Day(seen)} ({DaysSince(seen)} days)");
        evidence.Add(leak.SecretLeaked ? "the secret access key leaked with it: the pair is usable" : "only the key ID leaked (no secret found next to it)");
        if (f.Error != null) evidence.Add($"IAM lookup failed: {f.Error}");
        string severity = Name(SeverityRules.ForLeak(f, options.Now, leak.FirstSeen));
        string? account = f.Account ?? leak.Account;

        if (f.CanarySource is { } canary) return CanaryPlan(leak, account, canary, evidence);
        if (f.Ownership == Ownership.Unknown) return UnknownOwnerPlan(leak, f, severity, evidence);
        if (f.Ownership == Ownership.OtherAccount) return ForeignPlan(leak, account, evidence);
        if (f.Kind == KeyKind.Temporary) return SessionPlan(leak, f, severity, evidence);
        if (f.IsRoot)
        {
            evidence.Add("this is the root user's access key");
            return RootPlan(leak.KeyId, account, evidence, leaked: true);
        }
        if (f.Status == KeyStatus.Deleted) return DeletedPlan(leak, f, severity, evidence);
        return OurKeyPlan(leak, f, slot, severity, evidence);
    }

    private KeyPlan OurKeyPlan(LeakedKey leak, KeyFacts f, ReportKey? slot, string severity, List<string> evidence)
    {
        // The user is named in every command; when the lookup could not name it, the command asks IAM for it.
        string user = f.UserName ?? $"\"$(aws iam get-access-key-last-used --access-key-id {leak.KeyId} --query UserName --output text)\"";
        string apiUser = f.UserName ?? "(the key's user, from iam:GetAccessKeyLastUsed)";
        bool knownUser = f.UserName != null;
        bool active = f.Status == KeyStatus.Active;
        if (f.CreateDate is { } created) evidence.Add($"created {Day(created)} ({DaysSince(created)} days old)");
        if (f.Status != KeyStatus.Unknown)
            evidence.Add(f.LastUsedDate is { } used
                ? $"last used {Day(used)} ({DaysSince(used)} days ago) for {f.LastUsedService ?? "?"} in {f.LastUsedRegion ?? "?"}"
                : "never used (per IAM)");
        evidence.Add($"status {KeyFactsJson.StatusName(f.Status)}{(knownUser ? $", user {f.UserName}" : "")}");
        if (slot != null) evidence.AddRange(ReportEvidence(slot));
        var blind = options.RegionsWithoutCloudTrail;
        if (blind.Count > 0)
        {
            evidence.Add($"CloudTrail records no management events in {string.Join(", ", blind)}: what the key did there cannot be reviewed");
            if (f.LastUsedRegion is { } region && blind.Contains(region))
                evidence.Add($"the key was last used in {region}, where CloudTrail does not log");
        }
        if (f.QuarantinePolicyAttached) evidence.Add("AWS has attached its compromised-key quarantine policy to the user: AWS saw this key exposed");

        string? alert = null;
        if (SeverityRules.UsedAfterLeak(f, leak.FirstSeen))
            alert = $"POSSIBLE MISUSE: key {leak.KeyId} was used on {Day(f.LastUsedDate!.Value)} for {f.LastUsedService ?? "?"} in {f.LastUsedRegion ?? "?"}, " +
                    $"after it leaked on {Day(leak.FirstSeen!.Value)}. Investigate before anything else.";

        var steps = new List<PlanStep>();
        if (alert != null)
            steps.Add(new("investigate-first", StepAction.Investigate, "Investigate the use after the leak before changing anything",
                alert, CloudTrailCli(leak.KeyId, f.LastUsedRegion), CloudTrailApi, false));
        // A key whose status could not be read may be active: containing it is safe (apply reads the status first).
        if (active || f.Status == KeyStatus.Unknown)
        {
            steps.Add(new("contain", StepAction.Deactivate, $"Deactivate {leak.KeyId}{(knownUser ? $" of user {f.UserName}" : "")}",
                "it leaked" + (active ? " and is active" : " and its status could not be read") +
                ": deactivating is immediate and reversible, and keeps the ID referable in CloudTrail",
                $"aws iam update-access-key --user-name {user} --access-key-id {leak.KeyId} --status Inactive",
                $"iam:UpdateAccessKey(UserName={apiUser}, AccessKeyId={leak.KeyId}, Status=Inactive)", knownUser));
            steps.Add(new("revoke-sessions", StepAction.RevokeSessions, "Deny sessions already minted from the key",
                "deactivating a key does not revoke STS credentials issued from it (up to 36 hours); a deny-all inline policy conditioned on aws:TokenIssueTime does",
                $"aws iam put-user-policy --user-name {user} --policy-name {RevokeSessionsPolicy.Name(leak.KeyId)} --policy-document '{RevokeSessionsPolicy.Document(options.Now)}'",
                $"iam:PutUserPolicy(UserName={apiUser}, PolicyName={RevokeSessionsPolicy.Name(leak.KeyId)})", knownUser));
        }
        if (alert == null)
            steps.Add(new("investigate", StepAction.Investigate, "Review what the key did",
                "CloudTrail keeps 90 days of management events per region; look for new users, keys, roles, policy changes and resources in unusual regions"
                + (f.QuarantinePolicyAttached ? "; AWS's quarantine policy is attached: do not remove it until this is done" : ""),
                CloudTrailCli(leak.KeyId, f.LastUsedRegion), CloudTrailApi, false));
        if (EnableCloudTrailStep(f.Account ?? leak.Account) is { } trail) steps.Add(trail);
        steps.Add(new("replace", StepAction.Create, $"Create a replacement key{(knownUser ? $" for {f.UserName}" : "")} (better: move the workload to a role)",
            "the workloads that used the leaked key need a credential that never leaked",
            $"aws iam create-access-key --user-name {user}", $"iam:CreateAccessKey(UserName={apiUser})", knownUser && active));
        steps.Add(new("eradicate", StepAction.Delete, $"Delete {leak.KeyId} once the investigation is done",
            "a deleted key can never be reactivated by an attacker with IAM access",
            $"aws iam delete-access-key --user-name {user} --access-key-id {leak.KeyId}",
            $"iam:DeleteAccessKey(UserName={apiUser}, AccessKeyId={leak.KeyId})", knownUser));
        steps.Add(PurgeStep(leak, "every clone still holds it"));

        string kind = active ? "leaked-active" : f.Status == KeyStatus.Inactive ? "leaked-inactive" : "leaked-unknown-status";
        return new KeyPlan(leak.KeyId, kind, severity, f.Account ?? leak.Account, f.UserName, alert, evidence, steps);
    }

    /// <summary>
    /// An STS session key (ASIA): IAM has no record of it and no access-key call can change it. It is revoked through
    /// the principal that minted it (found in CloudTrail), and what minted it is rotated.
    /// </summary>
    private KeyPlan SessionPlan(LeakedKey leak, KeyFacts f, string severity, List<string> evidence)
    {
        evidence.Add("a temporary (ASIA) session key: IAM keeps no record of session keys, so its principal, status and use come from CloudTrail");
        evidence.Add(leak.TokenLeaked
            ? "its session token leaked with it: the credentials work until the session expires (up to 12 hours for a role session, 36 hours for GetSessionToken)"
            : "no session token was found next to it: without the token the key cannot be used, but look for the token elsewhere");
        if (f.LiveCheck.Result == LiveCheckResult.Live && f.LiveCheck.Arn != null) evidence.Add($"the live check says it works, as {f.LiveCheck.Arn}");
        string issuer = SessionIssuerCli(leak.KeyId);
        string document = RevokeSessionsPolicy.Document(options.Now);
        var steps = new List<PlanStep>
        {
            new("identify", StepAction.Investigate, "Find the principal and role the session belongs to",
                "CloudTrail records the session's issuer (the role, or the user whose key called GetSessionToken/GetFederationToken) with every call made with it",
                issuer, CloudTrailApi, false),
            new("revoke-sessions", StepAction.RevokeSessions, "Revoke every session of that principal issued before now",
                "a session key cannot be deactivated; a deny-all inline policy conditioned on aws:TokenIssueTime (what the console's \"Revoke active sessions\" attaches to a role) ends it and its siblings",
                $"set -- $({issuer}); if [ \"$1\" = Role ]; then aws iam put-role-policy --role-name \"$2\" --policy-name AWSRevokeOlderSessions --policy-document '{document}'; " +
                $"else aws iam put-user-policy --user-name \"$2\" --policy-name {RevokeSessionsPolicy.Name(leak.KeyId)} --policy-document '{document}'; fi",
                "iam:PutRolePolicy or iam:PutUserPolicy (aws:TokenIssueTime)", false),
            new("rotate-source", StepAction.Manual, "Rotate what minted the session",
                "a role session was minted by whoever assumed the role: review the role's trust policy and the AssumeRole event, and rotate the credentials that made it " +
                "(a CI secret, an instance, another key); a GetSessionToken or GetFederationToken session was minted with a user's long-term key: plan that key too (keyguard inspect, keyguard plan)",
                $"set -- $({issuer}); if [ \"$1\" = Role ]; then aws iam get-role --role-name \"$2\" --query Role.AssumeRolePolicyDocument; else aws iam list-access-keys --user-name \"$2\"; fi",
                "iam:GetRole / iam:ListAccessKeys", false),
            new("investigate", StepAction.Investigate, "Review what the session did",
                "CloudTrail keeps 90 days of management events per region; look for new users, keys, roles, policy changes and resources in unusual regions",
                CloudTrailCli(leak.KeyId, null), CloudTrailApi, false),
        };
        if (EnableCloudTrailStep(f.Account ?? leak.Account) is { } trail) steps.Add(trail);
        steps.Add(PurgeStep(leak, "session keys expire, but the code that held one may hold the next: find where it came from (a CI log, a copied ~/.aws/credentials)"));
        return new KeyPlan(leak.KeyId, "leaked-session", severity, f.Account ?? leak.Account, null, null, evidence, steps);
    }

    /// <summary>IAM has no such key: deleted, or never issued. Nothing to contain: confirm that and clean up.</summary>
    private KeyPlan DeletedPlan(LeakedKey leak, KeyFacts f, string severity, List<string> evidence)
    {
        evidence.Add("IAM has no such key: it was deleted, or never issued (IAM cannot tell which); it cannot be used");
        return new KeyPlan(leak.KeyId, "leaked-deleted", severity, f.Account ?? leak.Account, f.UserName, null, evidence,
        [
            new("confirm", StepAction.Investigate, "Confirm in CloudTrail when the key was deleted and what it did before",
                "a key deleted in the last 90 days has a DeleteAccessKey event (IAM events are in us-east-1) and its own calls are searchable by key ID",
                $"aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=ResourceName,AttributeValue={leak.KeyId} && {CloudTrailCli(leak.KeyId, f.LastUsedRegion)}",
                CloudTrailApi, false),
            PurgeStep(leak, "the key no longer works, but it keeps tripping scanners and hides real leaks"),
        ]);
    }

    private KeyPlan UnknownOwnerPlan(LeakedKey leak, KeyFacts f, string severity, List<string> evidence) =>
        new(leak.KeyId, "leaked-unknown", severity, leak.Account ?? f.Account, null, null, evidence,
        [
            new("identify", StepAction.Investigate, "Find out whose key this is",
                "KeyGuard could not tell which account owns it" + (f.Error != null ? $" ({f.Error})" : ""),
                $"aws sts get-access-key-info --access-key-id {leak.KeyId}", $"sts:GetAccessKeyInfo(AccessKeyId={leak.KeyId})", false),
            PurgeStep(leak, "a leaked key stays usable from every clone until it is deactivated"),
        ]);

    /// <summary>Another account's key: only its owner can act; AWS's Trust &amp; Safety team reaches owners it cannot name.</summary>
    private KeyPlan ForeignPlan(LeakedKey leak, string? account, List<string> evidence)
    {
        evidence.Add($"owned by account {account ?? "(unknown)"}, not this one: nothing can be run from this account");
        return new KeyPlan(leak.KeyId, "foreign", "low", account, null, null, evidence,
        [
            new("notify", StepAction.Notify, $"Tell the owner of account {account} through AWS that key {leak.KeyId} leaked",
                "only the owning account can deactivate it. AWS Trust & Safety forwards reports to the account's security contact: use the form at " +
                "https://support.aws.amazon.com/#/contacts/report-abuse (or trustandsafety@support.aws.com) with the key ID, the account and where it leaked, " +
                "never the secret; if you know the owner (a vendor, a partner), tell them directly as well",
                null, null, false),
            PurgeStep(leak, "the key is exposed wherever this repository is cloned"),
        ]);
    }

    /// <summary>A canary token's key: a tripwire, not a credential. Using it (even to check it) alerts whoever planted it.</summary>
    private KeyPlan CanaryPlan(LeakedKey leak, string? account, string canary, List<string> evidence)
    {
        evidence.Add($"account {account} hosts {canary} canary tokens: this key is a tripwire planted to detect leaks, not a working credential");
        return new KeyPlan(leak.KeyId, "canary", "low", account, null, null, evidence,
        [
            new("leave-canary", StepAction.Manual, $"Do not use or test the canary key {leak.KeyId}",
                "any call signed with it alerts whoever planted it; if it is your own canary token, finding it here means its hiding place was read: treat that place as exposed",
                null, null, false),
            new("who-planted", StepAction.Investigate, "Find out who put the canary here and whether it is meant to be",
                "a canary in a repository is often deliberate; one that travelled into other code is a sign that code was copied from the trap",
                $"git log --all -S {leak.KeyId} --format='%h %an %ad %s'", null, false),
            PurgeStep(leak, "unless it is a deliberate canary, it does not belong in the code"),
        ]);
    }

    private PlanStep PurgeStep(LeakedKey leak, string why) =>
        new("purge", StepAction.Purge, "Remove the key from the code and from git history (list the secret, one per line, in secrets-to-remove.txt)",
            why + "; " + (leak.OtherSecretsInSameFiles.Count > 0
                ? $"rotate the other secrets found in the same files too ({string.Join(", ", leak.OtherSecretsInSameFiles)})"
                : "rotate any other secrets that lived in the same files"),
            "git filter-repo --replace-text secrets-to-remove.txt", null, false);

    private PlanStep? EnableCloudTrailStep(string? account)
    {
        var blind = options.RegionsWithoutCloudTrail;
        if (blind.Count == 0 || account == null) return null;
        return new("enable-cloudtrail", StepAction.Manual, "Turn on CloudTrail in every region, so what happens next can be reviewed",
            $"no trail logs management events in {string.Join(", ", blind)} (CIS 3.1): this key's past activity there is lost, " +
            "and a multi-region trail with log file validation records the rest of the response. The bucket needs CloudTrail's bucket policy " +
            "(the console's trail wizard creates both)",
            $"aws cloudtrail create-trail --name keyguard-all-regions --s3-bucket-name aws-cloudtrail-logs-{account}-keyguard --is-multi-region-trail --enable-log-file-validation" +
            " && aws cloudtrail start-logging --name keyguard-all-regions",
            "cloudtrail:CreateTrail, cloudtrail:StartLogging", false);
    }

    private KeyPlan RootPlan(string keyId, string? account, List<string> evidence, bool leaked) =>
        new(keyId, "root", "critical", account, "<root_account>", null, evidence,
        [
            new("root-manual", StepAction.Manual, "Sign in as the root user and deactivate, then delete, the root access key",
                "root keys cannot be managed through IAM user calls, and CIS 1.4 says root should have no access keys at all",
                null, null, false),
            new("root-mfa", StepAction.Manual, "Make sure the root user has (hardware) MFA",
                "CIS 1.5 and 1.6", null, null, false),
            new("investigate", StepAction.Investigate, "Review root activity in CloudTrail",
                leaked ? "a leaked root key gives full control of the account" : "root credentials should not be used",
                "aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root", "cloudtrail:LookupEvents", false),
        ]);

    private IEnumerable<string> ReportEvidence(ReportKey k)
    {
        yield return $"credential report: {k.User} access key {k.Slot} is {(k.Active ? "active" : "inactive")}";
        if (Unused(k)) yield return $"CIS 1.12: unused for {options.MaxUnusedDays} days or more";
        if (Old(k)) yield return $"CIS 1.14: not rotated for more than {options.MaxKeyAgeDays} days";
    }

    private bool Unused(ReportKey k) => k.LastUsedDate is { } lu ? DaysSince(lu) >= options.MaxUnusedDays
        : k.LastRotated is { } created && DaysSince(created) >= options.MaxUnusedDays;

    private bool Old(ReportKey k) => k.LastRotated is { } r && DaysSince(r) > options.MaxKeyAgeDays;

    private KeyPlan? ForReportKey(ReportKey k)
    {
        if (!k.Active) return null;
        string id = k.KeyId ?? $"{k.User}/key{k.Slot}";
        var evidence = new List<string> { $"credential report: {k.User} access key {k.Slot}{(k.KeyId != null ? $" ({k.KeyId})" : "")} is active" };
        if (k.LastRotated is { } rot) evidence.Add($"created {Day(rot)} ({DaysSince(rot)} days old)");
        evidence.Add(k.LastUsedDate is { } u ? $"last used {Day(u)} ({DaysSince(u)} days ago) for {k.LastUsedService ?? "?"} in {k.LastUsedRegion ?? "?"}" : "never used");
        if (k.IsRoot) return RootPlan(id, null, evidence, leaked: false);

        bool unused = Unused(k), old = Old(k);
        if (!unused && !old) return null;
        // The key ID when the slot was matched (ListAccessKeys); otherwise the command finds it by creation time.
        string? keyRef = k.KeyId ?? (k.LastRotated is { } made
            ? $"\"$(aws iam list-access-keys --user-name {k.User} --query \"AccessKeyMetadata[?starts_with(CreateDate, '{made.UtcDateTime:yyyy-MM-ddTHH:mm:ss}')].AccessKeyId\" --output text)\""
            : null);
        string? Cmd(string template) => keyRef == null ? null : string.Format(CultureInfo.InvariantCulture, template, keyRef);
        string keyApi = k.KeyId != null ? $", AccessKeyId={k.KeyId}" : "";
        bool automatable = k.KeyId != null;
        var steps = new List<PlanStep>();
        if (k.KeyId == null)
            steps.Add(new("find-id", StepAction.Investigate, $"Look up the key ID of access key {k.Slot}", "the credential report names slots, not key IDs",
                $"aws iam list-access-keys --user-name {k.User}", $"iam:ListAccessKeys(UserName={k.User})", false));
        if (unused)
        {
            evidence.Add($"CIS 1.12: credentials unused for {options.MaxUnusedDays} days or more should be disabled");
            steps.Add(new("deactivate", StepAction.Deactivate, $"Deactivate the unused key{(k.KeyId != null ? $" {k.KeyId}" : "")}", "unused keys are risk without benefit; deactivating is reversible",
                Cmd($"aws iam update-access-key --user-name {k.User} --access-key-id {{0}} --status Inactive"), $"iam:UpdateAccessKey(UserName={k.User}{keyApi}, Status=Inactive)", automatable));
            steps.Add(new("delete", StepAction.Delete, "Delete it after a waiting period if nothing broke", "AWS rotation procedure, step 6 (apply deletes only days after it deactivated the key)",
                Cmd($"aws iam delete-access-key --user-name {k.User} --access-key-id {{0}}"), $"iam:DeleteAccessKey(UserName={k.User}{keyApi})", automatable));
            return new KeyPlan(id, "stale-unused", "medium", null, k.User, null, evidence, steps);
        }
        evidence.Add($"CIS 1.14: access keys should be rotated every {options.MaxKeyAgeDays} days or less");
        steps.AddRange(
        [
            new("create", StepAction.Manual, "Create a second key while the old one stays active", "AWS rotation procedure, step 1 (fails with LimitExceeded if the user already has two keys: delete the unused one first)",
                $"aws iam create-access-key --user-name {k.User}", $"iam:CreateAccessKey(UserName={k.User})", false),
            new("deploy", StepAction.Manual, "Update every application and tool to the new key", "step 2", null, null, false),
            new("check-old", StepAction.Wait, "Check that the old key is no longer used (wait several days)", "step 3",
                Cmd("aws iam get-access-key-last-used --access-key-id {0}"), "iam:GetAccessKeyLastUsed", false),
            new("deactivate-old", StepAction.Manual, "Deactivate the old key", "step 4: reversible if something breaks",
                Cmd($"aws iam update-access-key --user-name {k.User} --access-key-id {{0}} --status Inactive"), $"iam:UpdateAccessKey(UserName={k.User}{keyApi}, Status=Inactive)", false),
            new("delete-old", StepAction.Manual, "Delete the old key after a waiting period", "step 6",
                Cmd($"aws iam delete-access-key --user-name {k.User} --access-key-id {{0}}"), $"iam:DeleteAccessKey(UserName={k.User}{keyApi})", false),
        ]);
        return new KeyPlan(id, "stale-rotate", "medium", null, k.User, null, evidence, steps);
    }

    private const string CloudTrailApi = "cloudtrail:LookupEvents(LookupAttributes=[AccessKeyId])";

    /// <summary>The regions to search: the ones given, else every region (the key's last-used region first, once).</summary>
    private string Regions(string? lastRegion)
    {
        if (options.Regions.Count > 0) return string.Join(" ", options.Regions);
        var all = "$(aws ec2 describe-regions --all-regions --query 'Regions[].RegionName' --output text)";
        return lastRegion is { Length: > 0 } r && r != "N/A" ? $"{r} $(aws ec2 describe-regions --all-regions --query \"Regions[?RegionName!='{r}'].RegionName\" --output text)" : all;
    }

    /// <summary>CloudTrail keeps management events per region: search every region (or the ones given).</summary>
    private string CloudTrailCli(string keyId, string? lastRegion) =>
        $"for r in {Regions(lastRegion)}; do aws cloudtrail lookup-events --region $r --lookup-attributes AttributeKey=AccessKeyId,AttributeValue={keyId}; done";

    /// <summary>Prints "Role NAME" or "IAMUser NAME": the issuer of the session key, from the calls made with it.</summary>
    private string SessionIssuerCli(string keyId) =>
        $"for r in {Regions(null)}; do aws cloudtrail lookup-events --region $r --lookup-attributes AttributeKey=AccessKeyId,AttributeValue={keyId} " +
        "--query 'Events[].CloudTrailEvent' --output text; done | jq -r '.userIdentity | (.sessionContext.sessionIssuer.type // .type) + \" \" + " +
        "(.sessionContext.sessionIssuer.userName // .userName)' | sort -u | head -1";
}

/// <summary>The deny-all inline policy that ends sessions issued before a time (AWS's "revoke active sessions").</summary>
internal static class RevokeSessionsPolicy
{
    public static string Name(string keyId) => $"keyguard-revoke-{keyId}";

    public static string Document(DateTimeOffset issuedBefore) =>
        $"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{{\"DateLessThan\":{{\"aws:TokenIssueTime\":\"{issuedBefore.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\"}}}}}}]}}";
}
