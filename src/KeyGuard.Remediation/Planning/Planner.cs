using System.Globalization;

namespace KeyGuard.Planning;

/// <summary>
/// Joins leaks, IAM facts and the credential report into one plan per key (aws-iam.md §6). Pure and deterministic:
/// the same inputs and clock give the same plan, byte for byte.
/// </summary>
internal sealed class Planner(PlanOptions options)
{
    private static string Day(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private int DaysSince(DateTimeOffset d) => (int)Math.Floor((options.Now - d).TotalDays);

    public PlanDocument Build(IEnumerable<LeakedKey> leaks, IReadOnlyDictionary<string, KeyFactsForPlan> facts, IEnumerable<ReportKey> report)
    {
        var plans = new List<KeyPlan>();
        var planned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var leak in leaks.OrderBy(l => l.KeyId, StringComparer.Ordinal))
        {
            facts.TryGetValue(leak.KeyId, out var f);
            plans.Add(ForLeak(leak, f));
            planned.Add(leak.KeyId);
            if (f?.UserName != null) planned.Add(SlotKey(f.UserName, f.CreateDate));
        }
        foreach (var key in report.OrderBy(k => k.User, StringComparer.Ordinal).ThenBy(k => k.Slot))
            if (ForReportKey(key, planned) is { } p) plans.Add(p);

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

    private KeyPlan ForLeak(LeakedKey leak, KeyFactsForPlan? f)
    {
        var evidence = new List<string>();
        var where = leak.Locations.Take(3).Select(l => l.Commit != null ? $"{l.Path}:{l.Line} in commit {l.Commit[..Math.Min(12, l.Commit.Length)]}" : $"{l.Path}:{l.Line}");
        evidence.Add($"leaked at {string.Join(", ", where)}{(leak.Locations.Count > 3 ? $" and {leak.Locations.Count - 3} more places" : "")}");
        if (leak.FirstSeen is { } seen) evidence.Add($"exposed since {Day(seen)} ({DaysSince(seen)} days)");
        evidence.Add(leak.SecretLeaked ? "the secret access key leaked with it: the pair is usable" : "only the key ID leaked (no secret found next to it)");
        if (f?.Error != null) evidence.Add($"IAM lookup failed: {f.Error}");

        if (f == null || f.Ownership == Ownership.Unknown)
        {
            return new KeyPlan(leak.KeyId, "leaked-unknown", leak.SecretLeaked ? "high" : "medium", leak.Account ?? f?.Account, null, null, evidence,
            [
                new("identify", StepAction.Investigate, "Find out whose key this is",
                    "KeyGuard could not tell which account owns it" + (f?.Error != null ? $" ({f.Error})" : ""),
                    $"aws sts get-access-key-info --access-key-id {leak.KeyId}", $"sts:GetAccessKeyInfo(AccessKeyId={leak.KeyId})", false),
                new("purge", StepAction.Purge, "Remove the key from the code and its history",
                    "a leaked key stays usable from every clone until it is deactivated", null, null, false),
            ]);
        }
        if (f.Ownership == Ownership.OtherAccount)
        {
            evidence.Add($"owned by account {f.Account ?? leak.Account ?? "(unknown)"}, not this one");
            return new KeyPlan(leak.KeyId, "foreign", "low", f.Account ?? leak.Account, null, null, evidence,
            [
                new("notify", StepAction.Notify, $"Tell the owner of account {f.Account ?? leak.Account} that key {leak.KeyId} leaked",
                    "only the owning account can deactivate it; nothing can be run from this account",
                    null, null, false),
                new("purge", StepAction.Purge, "Remove the key from the code and its history",
                    "the key is exposed wherever this repository is cloned", null, null, false),
            ]);
        }
        if (f.IsRoot)
        {
            evidence.Add("this is the root user's access key");
            return RootPlan(leak.KeyId, f.Account, evidence, leaked: true);
        }

        string user = f.UserName ?? "(unknown user)";
        bool active = string.Equals(f.Status, "Active", StringComparison.OrdinalIgnoreCase);
        if (f.CreateDate is { } created) evidence.Add($"created {Day(created)} ({DaysSince(created)} days old)");
        evidence.Add(f.LastUsedDate is { } used
            ? $"last used {Day(used)} ({DaysSince(used)} days ago) for {f.LastUsedService ?? "?"} in {f.LastUsedRegion ?? "?"}"
            : "never used (per IAM)");
        evidence.Add($"status {f.Status ?? "unknown"}, user {user}");
        var blind = options.RegionsWithoutCloudTrail;
        if (blind.Count > 0)
        {
            evidence.Add($"CloudTrail records no management events in {string.Join(", ", blind)}: what the key did there cannot be reviewed");
            if (f.LastUsedRegion is { } region && blind.Contains(region))
                evidence.Add($"the key was last used in {region}, where CloudTrail does not log");
        }
        if (f.QuarantinePolicyAttached == true) evidence.Add("AWS has attached its compromised-key quarantine policy to the user: AWS saw this key exposed");

        string? alert = null;
        if (leak.FirstSeen is { } since && f.LastUsedDate is { } last && last > since)
            alert = $"POSSIBLE MISUSE: key {leak.KeyId} was used on {Day(last)} for {f.LastUsedService ?? "?"} in {f.LastUsedRegion ?? "?"}, " +
                    $"after it leaked on {Day(since)}. Investigate before anything else.";

        var steps = new List<PlanStep>();
        if (alert != null)
            steps.Add(new("investigate-first", StepAction.Investigate, "Investigate the use after the leak before changing anything",
                alert, CloudTrailCli(leak.KeyId, f.LastUsedRegion), "cloudtrail:LookupEvents(LookupAttributes=[AccessKeyId])", false));
        if (active)
        {
            steps.Add(new("contain", StepAction.Deactivate, $"Deactivate {leak.KeyId} of user {user}",
                "it leaked and is active: deactivating is immediate and reversible, and keeps the ID referable in CloudTrail",
                $"aws iam update-access-key --user-name {user} --access-key-id {leak.KeyId} --status Inactive",
                $"iam:UpdateAccessKey(UserName={user}, AccessKeyId={leak.KeyId}, Status=Inactive)", f.UserName != null));
            steps.Add(new("revoke-sessions", StepAction.RevokeSessions, $"Deny sessions already minted from the key",
                "deactivating a key does not revoke STS credentials issued from it (up to 36 hours); a deny-all inline policy conditioned on aws:TokenIssueTime does",
                $"aws iam put-user-policy --user-name {user} --policy-name keyguard-revoke-{leak.KeyId} --policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{{\"DateLessThan\":{{\"aws:TokenIssueTime\":\"{options.Now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\"}}}}}}]}}'",
                $"iam:PutUserPolicy(UserName={user}, PolicyName=keyguard-revoke-{leak.KeyId})", false));
        }
        if (alert == null)
            steps.Add(new("investigate", StepAction.Investigate, "Review what the key did",
                "CloudTrail keeps 90 days of management events per region; look for new users, keys, roles, policy changes and resources in unusual regions"
                + (f.QuarantinePolicyAttached == true ? "; AWS's quarantine policy is attached: do not remove it until this is done" : ""),
                CloudTrailCli(leak.KeyId, f.LastUsedRegion), "cloudtrail:LookupEvents(LookupAttributes=[AccessKeyId])", false));
        if (blind.Count > 0 && (f.Account ?? leak.Account) is { } account)
            steps.Add(new("enable-cloudtrail", StepAction.Manual, "Turn on CloudTrail in every region, so what happens next can be reviewed",
                $"no trail logs management events in {string.Join(", ", blind)} (CIS 3.1): this key's past activity there is lost, " +
                "and a multi-region trail with log file validation records the rest of the response. The bucket needs CloudTrail's bucket policy " +
                "(the console's trail wizard creates both)",
                $"aws cloudtrail create-trail --name keyguard-all-regions --s3-bucket-name aws-cloudtrail-logs-{account}-keyguard --is-multi-region-trail --enable-log-file-validation" +
                " && aws cloudtrail start-logging --name keyguard-all-regions",
                "cloudtrail:CreateTrail, cloudtrail:StartLogging", false));
        steps.Add(new("replace", StepAction.Create, $"Create a replacement key for {user} (better: move the workload to a role)",
            "the workloads that used the leaked key need a credential that never leaked",
            $"aws iam create-access-key --user-name {user}", $"iam:CreateAccessKey(UserName={user})", f.UserName != null && active));
        steps.Add(new("eradicate", StepAction.Delete, $"Delete {leak.KeyId} once the investigation is done",
            "a deleted key can never be reactivated by an attacker with IAM access",
            $"aws iam delete-access-key --user-name {user} --access-key-id {leak.KeyId}",
            $"iam:DeleteAccessKey(UserName={user}, AccessKeyId={leak.KeyId})", f.UserName != null));
        steps.Add(new("purge", StepAction.Purge, "Remove the key from the code and from git history",
            "every clone still holds it; " + (leak.OtherSecretsInSameFiles.Count > 0
                ? $"rotate the other secrets found in the same files too ({string.Join(", ", leak.OtherSecretsInSameFiles)})"
                : "rotate any other secrets that lived in the same files"),
            "git filter-repo --replace-text <file listing the secret>", null, false));

        string severity = alert != null ? "critical"
            : active && f.LastUsedDate is { } lu && DaysSince(lu) <= 30 ? "critical"
            : active ? "high"
            : "medium";
        return new KeyPlan(leak.KeyId, active ? "leaked-active" : "leaked-inactive", severity, f.Account ?? leak.Account, f.UserName, alert, evidence, steps);
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

    private KeyPlan? ForReportKey(ReportKey k, HashSet<string> planned)
    {
        if (!k.Active) return null;
        string id = $"{k.User}/key{k.Slot}";
        if (planned.Contains(SlotKey(k.User, k.LastRotated))) return null;
        var evidence = new List<string> { $"credential report: {k.User} access key {k.Slot} is active" };
        if (k.LastRotated is { } rot) evidence.Add($"created {Day(rot)} ({DaysSince(rot)} days old)");
        evidence.Add(k.LastUsedDate is { } u ? $"last used {Day(u)} ({DaysSince(u)} days ago) for {k.LastUsedService ?? "?"} in {k.LastUsedRegion ?? "?"}" : "never used");
        if (k.IsRoot) return RootPlan(id, null, evidence, leaked: false);

        bool unused = k.LastUsedDate is { } lu ? DaysSince(lu) >= options.MaxUnusedDays
            : k.LastRotated is { } created && DaysSince(created) >= options.MaxUnusedDays;
        bool old = k.LastRotated is { } r && DaysSince(r) > options.MaxKeyAgeDays;
        string keyRef = $"<access key {k.Slot} of {k.User}>";
        if (unused)
        {
            evidence.Add($"CIS 1.12: credentials unused for {options.MaxUnusedDays} days or more should be disabled");
            return new KeyPlan(id, "stale-unused", "medium", null, k.User, null, evidence,
            [
                new("find-id", StepAction.Investigate, $"Look up the key ID of access key {k.Slot}", "the credential report names slots, not key IDs",
                    $"aws iam list-access-keys --user-name {k.User}", $"iam:ListAccessKeys(UserName={k.User})", false),
                new("deactivate", StepAction.Manual, $"Deactivate the unused key", "unused keys are risk without benefit; deactivating is reversible",
                    $"aws iam update-access-key --user-name {k.User} --access-key-id {keyRef} --status Inactive", $"iam:UpdateAccessKey(UserName={k.User}, Status=Inactive)", false),
                new("delete", StepAction.Manual, "Delete it after a waiting period if nothing broke", "AWS rotation procedure, step 6",
                    $"aws iam delete-access-key --user-name {k.User} --access-key-id {keyRef}", $"iam:DeleteAccessKey(UserName={k.User})", false),
            ]);
        }
        if (!old) return null;
        evidence.Add($"CIS 1.14: access keys should be rotated every {options.MaxKeyAgeDays} days or less");
        return new KeyPlan(id, "stale-rotate", "medium", null, k.User, null, evidence,
        [
            new("create", StepAction.Manual, "Create a second key while the old one stays active", "AWS rotation procedure, step 1 (fails with LimitExceeded if the user already has two keys: delete the unused one first)",
                $"aws iam create-access-key --user-name {k.User}", $"iam:CreateAccessKey(UserName={k.User})", false),
            new("deploy", StepAction.Manual, "Update every application and tool to the new key", "step 2", null, null, false),
            new("check-old", StepAction.Wait, "Check that the old key is no longer used (wait several days)", "step 3",
                $"aws iam get-access-key-last-used --access-key-id {keyRef}", "iam:GetAccessKeyLastUsed", false),
            new("deactivate-old", StepAction.Manual, "Deactivate the old key", "step 4: reversible if something breaks",
                $"aws iam update-access-key --user-name {k.User} --access-key-id {keyRef} --status Inactive", $"iam:UpdateAccessKey(UserName={k.User}, Status=Inactive)", false),
            new("delete-old", StepAction.Manual, "Delete the old key after a waiting period", "step 6",
                $"aws iam delete-access-key --user-name {k.User} --access-key-id {keyRef}", $"iam:DeleteAccessKey(UserName={k.User})", false),
        ]);
    }

    /// <summary>CloudTrail keeps management events per region: search every region (or the ones given), the
    /// key's last-used region first.</summary>
    private string CloudTrailCli(string keyId, string? lastRegion)
    {
        string Lookup(string region) => $"aws cloudtrail lookup-events --region {region} --lookup-attributes AttributeKey=AccessKeyId,AttributeValue={keyId}";
        var first = lastRegion is { Length: > 0 } r && r != "N/A" ? Lookup(r) + " && " : "";
        if (options.Regions.Count > 0) return string.Join(" && ", options.Regions.Select(Lookup));
        return first + $"for r in $(aws ec2 describe-regions --all-regions --query 'Regions[].RegionName' --output text); do {Lookup("$r")}; done";
    }
}
