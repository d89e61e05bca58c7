using KeyGuard.Aws;
using KeyGuard.Enrichment;
using KeyGuard.Findings;
using KeyGuard.IamEmulator;
using Xunit;

namespace KeyGuard.Tests.Aws;

public class KeyEnricherTests
{
    [Fact]
    public async Task Our_active_recently_used_key_is_critical_with_owner_age_and_last_use()
    {
        await using var bed = new EmulatorTestBed();
        var facts = Assert.Single(await bed.Enricher().EnrichAsync([bed.Keys.ActiveRecentlyUsed.AccessKeyId]));

        Assert.Equal(DemoSeed.OperatorAccount, facts.Account);
        Assert.Equal(AccountSource.Decoded, facts.AccountSource);
        Assert.Equal(Ownership.Ours, facts.Ownership);
        Assert.Equal("alice", facts.UserName);
        Assert.Equal(KeyStatus.Active, facts.Status);
        Assert.Equal(200, facts.AgeDays);
        Assert.Equal("s3", facts.LastUsedService);
        Assert.Equal("eu-west-1", facts.LastUsedRegion);
        Assert.False(facts.QuarantinePolicyAttached);
        Assert.Equal(Severity.Critical, facts.Severity);
        Assert.Null(facts.Error);
        Assert.Equal(LiveCheckResult.NotRequested, facts.LiveCheck.Result);
        Assert.Equal("alice", bed.Server.Log.Of("ListAccessKeys").Single().Parameter("UserName"));
        Assert.Equal("alice", bed.Server.Log.Of("ListAttachedUserPolicies").Single().Parameter("UserName"));
    }

    [Fact]
    public async Task Idle_inactive_deleted_and_foreign_keys_get_their_severities()
    {
        await using var bed = new EmulatorTestBed();
        var k = bed.Keys;
        var facts = await bed.Enricher().EnrichAsync([k.ActiveIdle.AccessKeyId, k.Inactive.AccessKeyId, k.Deleted.AccessKeyId, k.OtherAccount.AccessKeyId]);

        var idle = facts[0];
        Assert.Equal((KeyStatus.Active, Severity.High), (idle.Status, idle.Severity));
        Assert.Equal(["AWSCompromisedKeyQuarantineV3"], idle.QuarantinePolicies);
        Assert.Equal("deploy-bot", idle.UserName);

        var inactive = facts[1];
        Assert.Equal((KeyStatus.Inactive, Severity.Medium, "old-intern"), (inactive.Status, inactive.Severity, inactive.UserName));

        var deleted = facts[2];
        Assert.Equal((KeyStatus.Deleted, Severity.Low, Ownership.Ours), (deleted.Status, deleted.Severity, deleted.Ownership));

        var foreign = facts[3];
        Assert.Equal((Ownership.OtherAccount, Severity.Low), (foreign.Ownership, foreign.Severity));
        Assert.Equal(DemoSeed.OtherAccount, foreign.Account);
        Assert.Equal(AccountSource.GetAccessKeyInfo, foreign.AccountSource);
        Assert.Null(foreign.UserName);
        // Another account's key is confirmed by STS only; IAM is never asked about it.
        Assert.Equal(foreign.KeyId, bed.Server.Log.Of("GetAccessKeyInfo").Single().Parameter("AccessKeyId"));
        Assert.DoesNotContain(bed.Server.Log.Of("GetAccessKeyLastUsed"), e => e.Parameter("AccessKeyId") == foreign.KeyId);
    }

    [Fact]
    public async Task Old_format_keys_are_resolved_with_GetAccessKeyInfo()
    {
        await using var bed = new EmulatorTestBed();
        var facts = Assert.Single(await bed.Enricher().EnrichAsync(["AKIAIOSFODNN7EXAMPLE"]));

        Assert.Null(AccessKeyId.DecodeAccount("AKIAIOSFODNN7EXAMPLE"));
        Assert.Equal(Ownership.Unknown, facts.Ownership);
        Assert.Contains("sts:GetAccessKeyInfo", facts.Error);
        Assert.Single(bed.Server.Log.Of("GetAccessKeyInfo"));
    }

    [Fact]
    public async Task An_old_format_key_of_ours_is_confirmed_by_STS_and_then_looked_up_in_IAM()
    {
        await using var bed = new EmulatorTestBed();
        bed.OurAccount.AddUser("legacy").AddKey(AccessKeyStatus.Inactive, accessKeyId: "AKIAIOSFODNN7EXAMPLE");

        var facts = Assert.Single(await bed.Enricher().EnrichAsync(["AKIAIOSFODNN7EXAMPLE"]));

        Assert.Equal((DemoSeed.OperatorAccount, AccountSource.GetAccessKeyInfo, Ownership.Ours), (facts.Account, facts.AccountSource, facts.Ownership));
        Assert.Equal(("legacy", KeyStatus.Inactive, Severity.Medium), (facts.UserName, facts.Status, facts.Severity));
        Assert.Null(facts.Error);
    }

    [Fact]
    public async Task A_denied_lookup_names_the_permission_and_does_not_stop_the_others()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("ListAttachedUserPolicies", FaultKind.AccessDenied, times: 1);
        var k = bed.Keys;

        var facts = await bed.Enricher().EnrichAsync([k.ActiveRecentlyUsed.AccessKeyId, k.ActiveIdle.AccessKeyId]);

        var failed = Assert.Single(facts, f => f.Error != null);
        Assert.Contains("iam:ListAttachedUserPolicies", failed.Error);
        Assert.Equal(KeyStatus.Active, failed.Status); // what did work is kept
        Assert.Single(facts, f => f.Error == null && f.Status == KeyStatus.Active);
    }

    [Fact]
    public async Task Without_GetAccessKeyLastUsed_the_key_stays_unknown_and_high()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("GetAccessKeyLastUsed", FaultKind.AccessDenied);
        var facts = Assert.Single(await bed.Enricher().EnrichAsync([bed.Keys.Inactive.AccessKeyId]));
        Assert.Equal((KeyStatus.Unknown, Severity.High), (facts.Status, facts.Severity));
        Assert.Contains("lack the permission iam:GetAccessKeyLastUsed", facts.Error);
    }

    [Fact]
    public async Task Each_key_is_looked_up_once_and_the_caller_identity_once()
    {
        await using var bed = new EmulatorTestBed();
        var enricher = bed.Enricher();
        string id = bed.Keys.ActiveRecentlyUsed.AccessKeyId;

        var facts = await enricher.EnrichAsync([id, id, bed.Keys.Inactive.AccessKeyId, id]);
        await enricher.EnrichAsync([id]);

        Assert.Equal(2, facts.Count);
        Assert.Single(bed.Server.Log.Of("GetCallerIdentity"));
        Assert.Single(bed.Server.Log.Of("GetAccessKeyLastUsed"), e => e.Parameter("AccessKeyId") == id);
    }

    [Fact]
    public async Task Many_keys_are_looked_up_concurrently_but_bounded()
    {
        await using var bed = new EmulatorTestBed();
        var ids = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            var u = bed.OurAccount.AddUser($"u{i}");
            ids.Add(u.AddKey().AccessKeyId);
        }
        bed.Server.Faults.Inject("GetAccessKeyLastUsed", FaultKind.Slow, delay: TimeSpan.FromMilliseconds(300));

        var facts = await bed.Enricher().EnrichAsync(ids);

        Assert.All(facts, f => Assert.Equal(KeyStatus.Active, f.Status));
        // Parallel (more than one at once) yet bounded by MaxConcurrency = 4; each key's own calls are sequential.
        Assert.InRange(bed.Server.MaxConcurrentRequests, 2, 4);
    }

    [Fact]
    public async Task Live_check_is_off_by_default()
    {
        await using var bed = new EmulatorTestBed();
        var found = new FoundKey(bed.Keys.ActiveRecentlyUsed.AccessKeyId, bed.Keys.ActiveRecentlyUsed.SecretAccessKey);
        var lastUsedBefore = bed.Keys.ActiveRecentlyUsed.LastUsedDate;

        var facts = Assert.Single(await bed.Enricher().EnrichAsync([found]));

        Assert.Equal(LiveCheckResult.NotRequested, facts.LiveCheck.Result);
        Assert.Empty(bed.CallsSignedBy(found.KeyId));
        Assert.Equal(lastUsedBefore, bed.Keys.ActiveRecentlyUsed.LastUsedDate); // no forensic pollution
    }

    [Fact]
    public async Task Live_check_signs_with_the_found_key_and_warns()
    {
        await using var bed = new EmulatorTestBed();
        var warnings = new StringWriter();
        var live = new LiveKeyChecker(bed.Session.CreateStsSignedWith, warnings);
        var k = bed.Keys;
        var found = new FoundKey[]
        {
            new(k.ActiveRecentlyUsed.AccessKeyId, k.ActiveRecentlyUsed.SecretAccessKey),
            new(k.Inactive.AccessKeyId, k.Inactive.SecretAccessKey),
            new(k.ActiveIdle.AccessKeyId, k.ActiveRecentlyUsed.SecretAccessKey), // someone else's secret
            new(k.Deleted.AccessKeyId), // no secret found
        };

        var facts = await bed.Enricher(live).EnrichAsync(found);

        Assert.Equal(LiveCheckResult.Live, facts[0].LiveCheck.Result);
        Assert.EndsWith("user/alice", facts[0].LiveCheck.Arn);
        Assert.Equal(LiveCheckResult.NotLive, facts[1].LiveCheck.Result);
        Assert.Equal(LiveCheckResult.WrongSecret, facts[2].LiveCheck.Result);
        Assert.Equal(LiveCheckResult.NoSecret, facts[3].LiveCheck.Result);
        Assert.Equal("GetCallerIdentity", Assert.Single(bed.CallsSignedBy(k.ActiveRecentlyUsed.AccessKeyId)).Action);
        string text = warnings.ToString();
        Assert.Contains("CloudTrail", text);
        Assert.Contains(k.ActiveRecentlyUsed.AccessKeyId, text);
        foreach (var f in found.Where(f => f.Secret != null)) Assert.DoesNotContain(f.Secret!, text);
        Assert.DoesNotContain(k.ActiveRecentlyUsed.SecretAccessKey, string.Join("\n", facts.Select(f => f.ToString())));
    }

    [Fact]
    public async Task Canary_accounts_are_skipped_unless_allowed()
    {
        await using var bed = new EmulatorTestBed();
        var canary = bed.State.AddAccount("171436882533").AddUser("canary").AddKey();
        var found = new FoundKey(canary.AccessKeyId, canary.SecretAccessKey);

        var warnings = new StringWriter();
        var skipped = Assert.Single(await bed.Enricher(new LiveKeyChecker(bed.Session.CreateStsSignedWith, warnings)).EnrichAsync([found]));
        Assert.Equal(LiveCheckResult.SkippedCanary, skipped.LiveCheck.Result);
        Assert.Equal("thinkst", skipped.CanarySource);
        Assert.Equal(Severity.Low, skipped.Severity);
        Assert.Empty(bed.CallsSignedBy(canary.AccessKeyId));
        Assert.Equal("", warnings.ToString());

        var allowed = Assert.Single(await bed.Enricher(new LiveKeyChecker(bed.Session.CreateStsSignedWith, warnings, allowCanary: true)).EnrichAsync([found]));
        Assert.Equal(LiveCheckResult.Live, allowed.LiveCheck.Result);
        Assert.Single(bed.CallsSignedBy(canary.AccessKeyId));
    }

    [Fact]
    public async Task Temporary_keys_need_their_session_token_for_the_live_check()
    {
        await using var bed = new EmulatorTestBed();
        var temporary = bed.OurAccount.FindUser("alice")!.AddSessionKey();
        var live = new LiveKeyChecker(bed.Session.CreateStsSignedWith, TextWriter.Null);

        var without = Assert.Single(await bed.Enricher(live).EnrichAsync([new FoundKey(temporary.AccessKeyId, temporary.SecretAccessKey)]));
        Assert.Equal(LiveCheckResult.NoSecret, without.LiveCheck.Result);

        var with = Assert.Single(await bed.Enricher(live).EnrichAsync([new FoundKey(temporary.AccessKeyId, temporary.SecretAccessKey, temporary.SessionToken)]));
        Assert.Equal(LiveCheckResult.Live, with.LiveCheck.Result);
        Assert.Equal((Ownership.Ours, KeyStatus.Unknown, Severity.High), (with.Ownership, with.Status, with.Severity));
        Assert.Empty(bed.Server.Log.Of("ListAccessKeys")); // IAM does not list session keys
    }

    [Fact]
    public void Severity_rules()
    {
        var now = DateTimeOffset.UtcNow;
        KeyFacts Ours(KeyStatus s, int? usedDaysAgo = null) => new()
        {
            KeyId = "AKIAIOSFODNN7EXAMPLE", Ownership = Ownership.Ours, Status = s,
            LastUsedDate = usedDaysAgo is { } d ? now.AddDays(-d) : null,
        };
        Assert.Equal(Severity.Critical, SeverityRules.Assess(Ours(KeyStatus.Active, 29), now, 30));
        Assert.Equal(Severity.High, SeverityRules.Assess(Ours(KeyStatus.Active, 31), now, 30));
        Assert.Equal(Severity.High, SeverityRules.Assess(Ours(KeyStatus.Active), now, 30));
        Assert.Equal(Severity.Medium, SeverityRules.Assess(Ours(KeyStatus.Inactive, 1), now, 30));
        Assert.Equal(Severity.Low, SeverityRules.Assess(Ours(KeyStatus.Deleted), now, 30));
        Assert.Equal(Severity.High, SeverityRules.Assess(Ours(KeyStatus.Unknown), now, 30));
        var foreign = new KeyFacts { KeyId = "AKIAIOSFODNN7EXAMPLE", Ownership = Ownership.OtherAccount };
        Assert.Equal(Severity.Low, SeverityRules.Assess(foreign, now, 30));
        Assert.Equal(Severity.High, SeverityRules.Assess(foreign with { LiveCheck = new LiveCheck(LiveCheckResult.Live) }, now, 30));
    }
}
