namespace KeyGuard.Enrichment;

/// <summary>
/// How urgent a found key is (docs/aws.md, "Severity"):
/// critical = ours, active and used within the recent-use window (default 30 days);
/// high = ours and active, or ours with an unknown status (a failed lookup cannot rule out an active key),
///        or an account we cannot determine, or any key the live check proved working;
/// medium = ours and inactive (one UpdateAccessKey away from working again);
/// low = deleted/not found, or another account's key (only its owner can act), or a canary account.
/// </summary>
internal static class SeverityRules
{
    public static Severity Assess(KeyFacts facts, DateTimeOffset now, int recentUseDays)
    {
        var severity = Base(facts, now, recentUseDays);
        if (facts.LiveCheck.Result == LiveCheckResult.Live && severity < Severity.High) severity = Severity.High;
        return severity;
    }

    private static Severity Base(KeyFacts facts, DateTimeOffset now, int recentUseDays)
    {
        if (facts.CanarySource is not null) return Severity.Low;
        switch (facts.Ownership)
        {
            case Ownership.OtherAccount:
                return Severity.Low;
            case Ownership.Unknown:
                return Severity.High;
        }
        return facts.Status switch
        {
            KeyStatus.Active when facts.LastUsedDate is { } used && now - used <= TimeSpan.FromDays(recentUseDays) => Severity.Critical,
            KeyStatus.Active => Severity.High,
            KeyStatus.Inactive => Severity.Medium,
            KeyStatus.Deleted => Severity.Low,
            _ => Severity.High,
        };
    }
}
