using KeyGuard.Aws;
using KeyGuard.Findings;

namespace KeyGuard.Enrichment;

/// <summary>
/// Puts IAM facts on findings (<see cref="Finding.Facts"/>: the "aws" object of JSON findings, SARIF properties and
/// text columns) and sets the finding's severity (an active key used recently is critical; an inactive or deleted one is lower).
/// </summary>
internal static class FindingFacts
{
    /// <summary>The keys to look up: one per key ID; with the live check, the paired secret and token go along.</summary>
    public static List<FoundKey> KeysToLookUp(IEnumerable<Finding> findings, bool withSecrets)
    {
        var list = findings.Where(f => f.KeyId != null && AccessKeyId.IsWellFormed(f.KeyId)).GroupBy(f => f.KeyId!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => withSecrets
                ? new FoundKey(g.Key,
                    g.FirstOrDefault(f => f.Role == CredentialRole.Secret)?.Secret,
                    g.FirstOrDefault(f => f.Role == CredentialRole.SessionToken)?.Secret)
                : new FoundKey(g.Key))
            .ToList();
        return list;
    }

    /// <summary>
    /// One line on what the live check did, e.g. "1 live, 1 not live, 2 skipped: not your account's (--allow-other-accounts
    /// to sign with them)", or null when it was not asked for.
    /// </summary>
    public static string? LiveSummary(IEnumerable<KeyFacts> facts)
    {
        var counts = facts.GroupBy(f => f.LiveCheck.Result).ToDictionary(g => g.Key, g => g.Count());
        int N(LiveCheckResult r) => counts.GetValueOrDefault(r);
        var parts = new List<string>();
        if (N(LiveCheckResult.Live) > 0) parts.Add($"{N(LiveCheckResult.Live)} live");
        if (N(LiveCheckResult.NotLive) > 0) parts.Add($"{N(LiveCheckResult.NotLive)} not live");
        if (N(LiveCheckResult.WrongSecret) > 0) parts.Add($"{N(LiveCheckResult.WrongSecret)} with a wrong secret");
        if (N(LiveCheckResult.Error) > 0) parts.Add($"{N(LiveCheckResult.Error)} failed");
        if (N(LiveCheckResult.SkippedNotOurs) > 0)
            parts.Add($"{N(LiveCheckResult.SkippedNotOurs)} skipped: not your account's (--allow-other-accounts to sign with them)");
        if (N(LiveCheckResult.SkippedCanary) > 0) parts.Add($"{N(LiveCheckResult.SkippedCanary)} skipped: canary-token accounts (--allow-canary)");
        if (N(LiveCheckResult.NoSecret) > 0) parts.Add($"{N(LiveCheckResult.NoSecret)} not checked: no secret found with the key");
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    public static void Attach(IEnumerable<Finding> findings, IEnumerable<KeyFacts> facts)
    {
        var byKey = facts.ToDictionary(f => f.KeyId, StringComparer.Ordinal);
        foreach (var finding in findings)
        {
            if (finding.KeyId == null || !byKey.TryGetValue(finding.KeyId, out var f)) continue;
            finding.Facts = f;
            finding.Severity = KeyFactsJson.SeverityName(f.Severity);
        }
    }
}
