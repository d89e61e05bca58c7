namespace KeyGuard.Planning;

/// <summary>A place where a key leaked.</summary>
internal sealed record LeakLocation(string Path, int Line, string? Commit, DateTimeOffset? Date);

/// <summary>What the scan says about one key ID: where it leaked, since when, and whether its secret leaked too.</summary>
internal sealed record LeakedKey(string KeyId, string? Account, IReadOnlyList<LeakLocation> Locations, DateTimeOffset? FirstSeen,
    bool SecretLeaked, bool TokenLeaked, IReadOnlyList<string> OtherSecretsInSameFiles);

internal enum Ownership { Ours, OtherAccount, Unknown }

/// <summary>What IAM says about one key (from enrichment or the credential report).</summary>
internal sealed record KeyFactsForPlan(string KeyId, Ownership Ownership, string? Account, string? UserName, string? Status,
    DateTimeOffset? CreateDate, DateTimeOffset? LastUsedDate, string? LastUsedService, string? LastUsedRegion,
    bool? QuarantinePolicyAttached, bool IsRoot = false, string? Error = null);

/// <summary>An access key slot from the credential report, for keys that did not leak but are stale.</summary>
internal sealed record ReportKey(string User, string Arn, int Slot, bool Active, DateTimeOffset? LastRotated,
    DateTimeOffset? LastUsedDate, string? LastUsedRegion, string? LastUsedService, bool IsRoot);

internal sealed class PlanOptions
{
    /// <summary>The clock the plan is made against; fixed in tests so plans are deterministic.</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
    public int MaxKeyAgeDays { get; init; } = 90;
    public int MaxUnusedDays { get; init; } = 45;
    /// <summary>apply never deletes a key used within this many days unless forced.</summary>
    public int RecentUseDays { get; init; } = 7;
    public IReadOnlyList<string> Regions { get; init; } = [];
    /// <summary>Enabled regions of our account where no CloudTrail trail logs management events (from the account
    /// baseline); empty when every region is covered or the baseline was not read.</summary>
    public IReadOnlyList<string> RegionsWithoutCloudTrail { get; init; } = [];
}
