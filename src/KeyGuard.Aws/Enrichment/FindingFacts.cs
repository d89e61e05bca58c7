using System.Globalization;
using KeyGuard.Aws;
using KeyGuard.Findings;

namespace KeyGuard.Enrichment;

/// <summary>
/// Puts IAM facts on findings: the "aws" object of JSON findings, SARIF properties and text columns, and the
/// finding's severity (an active key used recently is critical; an inactive or deleted one is lower).
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

    public static void Attach(IEnumerable<Finding> findings, IEnumerable<KeyFacts> facts)
    {
        var byKey = facts.ToDictionary(f => f.KeyId, StringComparer.Ordinal);
        foreach (var finding in findings)
        {
            if (finding.KeyId == null || !byKey.TryGetValue(finding.KeyId, out var f)) continue;
            finding.Enrichment = ToDictionary(f);
            finding.Severity = Name(f.Severity);
        }
    }

    public static string Name(Severity s) => s.ToString().ToLowerInvariant();

    public static Dictionary<string, object?> ToDictionary(KeyFacts f) => new()
    {
        ["ownership"] = f.Ownership switch { Ownership.Ours => "ours", Ownership.OtherAccount => "other-account", _ => "unknown" },
        ["account"] = f.Account,
        ["canary"] = f.CanarySource,
        ["userName"] = f.UserName,
        ["status"] = f.Status switch { KeyStatus.Deleted => "deleted-or-not-found", _ => f.Status.ToString().ToLowerInvariant() },
        ["createDate"] = f.CreateDate,
        ["ageDays"] = f.AgeDays,
        ["lastUsedDate"] = f.LastUsedDate,
        ["lastUsedService"] = f.LastUsedService,
        ["lastUsedRegion"] = f.LastUsedRegion,
        ["quarantinePolicyAttached"] = f.QuarantinePolicyAttached,
        ["severity"] = Name(f.Severity),
        ["error"] = f.Error,
        ["liveCheck"] = f.LiveCheck.Result == LiveCheckResult.NotRequested ? null : f.LiveCheck.Result.ToString().ToLowerInvariant(),
    };

    public static string Day(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
