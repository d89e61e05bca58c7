using KeyGuard.Findings;
using System.Collections.Concurrent;
using KeyGuard.Aws;

namespace KeyGuard.Enrichment;

internal sealed class EnrichmentOptions
{
    /// <summary>How many keys are looked up at once.</summary>
    public int MaxConcurrency { get; init; } = 4;
    /// <summary>An active key used within this many days is critical.</summary>
    public int RecentUseDays { get; init; } = SeverityRules.DefaultRecentUseDays;
    /// <summary>Called as each distinct key's lookup ends, with (keys done, keys in all), so a caller can show progress:
    /// thousands of keys at ~3 IAM calls each take minutes against real IAM.</summary>
    public Action<int, int>? KeysLookedUp { get; init; }
}

/// <summary>
/// Answers "who owns this found key?" with the operator's credentials (aws-iam.md §2 recommendation):
/// decode the account offline, compare with GetCallerIdentity (asked once), then for our own keys ask
/// GetAccessKeyLastUsed (owner, last use), ListAccessKeys (status, age) and ListAttachedUserPolicies (quarantine);
/// for other keys confirm the account with GetAccessKeyInfo. Each key is looked up once per enricher, with bounded
/// concurrency, and a failed lookup is recorded on that key without stopping the others.
/// </summary>
internal sealed class KeyEnricher
{
    private static readonly string[] QuarantinePolicyNames =
        ["AWSCompromisedKeyQuarantine", "AWSCompromisedKeyQuarantineV2", "AWSCompromisedKeyQuarantineV3"];

    private readonly IamClient _iam;
    private readonly StsGateway _sts;
    private readonly EnrichmentOptions _options;
    private readonly LiveKeyChecker? _liveChecker;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, Lazy<Task<KeyFacts>>> _cache = new(StringComparer.Ordinal);
    private readonly Lazy<Task<CallerIdentity>> _operator;

    /// <param name="liveChecker">Null (the default) means no call is ever signed with a found key.</param>
    public KeyEnricher(IamClient iam, StsGateway sts, EnrichmentOptions? options = null, LiveKeyChecker? liveChecker = null, TimeProvider? time = null)
    {
        _iam = iam;
        _sts = sts;
        _options = options ?? new EnrichmentOptions();
        _liveChecker = liveChecker;
        _time = time ?? TimeProvider.System;
        _slots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrency));
        _operator = new Lazy<Task<CallerIdentity>>(() => _sts.GetCallerIdentityAsync());
    }

    /// <summary>The operator's identity (sts:GetCallerIdentity), fetched once. Its failure is fatal: it throws IamException.</summary>
    public Task<CallerIdentity> OperatorAsync() => _operator.Value;

    public Task<IReadOnlyList<KeyFacts>> EnrichAsync(IEnumerable<string> keyIds, CancellationToken cancellationToken = default) =>
        EnrichAsync(keyIds.Select(id => new FoundKey(id)), cancellationToken);

    /// <summary>One <see cref="KeyFacts"/> per distinct key ID, in first-seen order.</summary>
    public async Task<IReadOnlyList<KeyFacts>> EnrichAsync(IEnumerable<FoundKey> keys, CancellationToken cancellationToken = default)
    {
        var distinct = keys.GroupBy(k => k.KeyId, StringComparer.Ordinal)
            // Prefer the sighting that carries a secret: only it can be live-checked.
            .Select(g => g.FirstOrDefault(k => k.Secret is not null) ?? g.First())
            .ToList();
        await OperatorAsync().ConfigureAwait(false);
        var tasks = distinct.Select(k => _cache.GetOrAdd(k.KeyId, _ => new Lazy<Task<KeyFacts>>(() => LookUpAsync(k, cancellationToken))).Value);
        if (_options.KeysLookedUp is { } report)
        {
            int done = 0;
            tasks = tasks.Select(async task =>
            {
                var facts = await task.ConfigureAwait(false);
                report(Interlocked.Increment(ref done), distinct.Count);
                return facts;
            }).ToList();
        }
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task<KeyFacts> LookUpAsync(FoundKey key, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var facts = await DescribeAsync(key, cancellationToken).ConfigureAwait(false);
            if (_liveChecker is not null)
                facts = facts with { LiveCheck = await _liveChecker.CheckAsync(key, facts, cancellationToken).ConfigureAwait(false) };
            return facts with { Severity = SeverityRules.Assess(facts, _time.GetUtcNow(), _options.RecentUseDays) };
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<KeyFacts> DescribeAsync(FoundKey key, CancellationToken cancellationToken)
    {
        string ourAccount = (await OperatorAsync().ConfigureAwait(false)).Account;
        string? decoded = AccessKeyId.DecodeAccount(key.KeyId);
        var facts = new KeyFacts
        {
            KeyId = key.KeyId,
            Account = decoded,
            AccountSource = decoded is null ? AccountSource.None : AccountSource.Decoded,
        };

        if (decoded != ourAccount)
        {
            // Undecodable, or decoded to someone else: ask STS (signed by us, logged only in our account).
            try
            {
                string account = await _sts.GetAccessKeyInfoAsync(key.KeyId, cancellationToken).ConfigureAwait(false);
                facts = facts with { Account = account, AccountSource = AccountSource.GetAccessKeyInfo };
            }
            catch (IamException e)
            {
                facts = facts with { Error = e.Message };
            }
        }

        facts = facts with { CanarySource = CanaryAccounts.SourceOf(facts.Account) };
        if (facts.Account is null) return facts with { Ownership = Ownership.Unknown };
        if (facts.Account != ourAccount) return facts with { Ownership = Ownership.OtherAccount };
        // IAM keeps no record of STS session keys (ASIA): ListAccessKeys never lists them, so their absence would
        // wrongly read as "deleted". Leave the status unknown; only the live check (with the token) can tell.
        if (facts.Kind == KeyKind.Temporary) return facts with { Ownership = Ownership.Ours };
        return await DescribeOurKeyAsync(facts with { Ownership = Ownership.Ours }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<KeyFacts> DescribeOurKeyAsync(KeyFacts facts, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        try
        {
            var lastUsed = await _iam.GetAccessKeyLastUsedAsync(facts.KeyId, cancellationToken).ConfigureAwait(false);
            facts = facts with
            {
                UserName = lastUsed.UserName,
                LastUsedDate = lastUsed.LastUsedDate,
                LastUsedService = lastUsed.ServiceName,
                LastUsedRegion = lastUsed.Region,
            };
        }
        catch (IamException e) when (e.IsNoSuchEntity)
        {
            return facts with { Status = KeyStatus.Deleted };
        }
        catch (IamException e)
        {
            return facts with { Error = e.Message };
        }

        string userName = facts.UserName!;
        try
        {
            var keys = await _iam.ListAllAccessKeysAsync(userName, cancellationToken).ConfigureAwait(false);
            var match = keys.FirstOrDefault(k => k.AccessKeyId == facts.KeyId);
            facts = match is null
                ? facts with { Status = KeyStatus.Deleted }
                : facts with
                {
                    Status = match.Status switch
                    {
                        AccessKeyStatus.Active => KeyStatus.Active,
                        AccessKeyStatus.Inactive or AccessKeyStatus.Expired => KeyStatus.Inactive,
                        _ => KeyStatus.Unknown,
                    },
                    CreateDate = match.CreateDate,
                    AgeDays = (int)Math.Floor((_time.GetUtcNow() - match.CreateDate).TotalDays),
                };
        }
        catch (IamException e) when (e.IsNoSuchEntity)
        {
            facts = facts with { Status = KeyStatus.Deleted }; // the user itself is gone
        }
        catch (IamException e)
        {
            errors.Add(e.Message);
        }

        if (facts.Status != KeyStatus.Deleted)
        {
            try
            {
                var policies = await _iam.ListAllAttachedUserPoliciesAsync(userName, cancellationToken).ConfigureAwait(false);
                facts = facts with
                {
                    QuarantinePolicies = policies.Select(p => p.PolicyName).Where(n => QuarantinePolicyNames.Contains(n)).ToList(),
                };
            }
            catch (IamException e)
            {
                errors.Add(e.Message);
            }
        }

        return errors.Count == 0 ? facts : facts with { Error = string.Join("; ", errors) };
    }
}
