using KeyGuard.Detection.Detectors;
using KeyGuard.Findings;
using KeyGuard.Planning;

namespace KeyGuard.Org;

/// <summary>A tracked finding with the risk the summaries sort by: its severity (the plan's, once IAM facts
/// sharpened it) and the key's owner when --verify named one.</summary>
internal sealed record RiskedFinding(FindingRecord Finding, string Status, string Severity, string? Owner, bool Alert);

/// <summary>One distinct key (a key ID, or a secret found without one) across every repository that holds it.</summary>
internal sealed record KeyRollup(string Key, string? KeyId, string Severity, string Status, string? Owner, bool Alert, bool SecretLeaked,
    IReadOnlyList<RiskedFinding> Findings, IReadOnlyList<string> Repos, string ExposedSince)
{
    /// <summary>Where it was seen: "repo: path:line" per repository and file (a key ID and its secret in one file are one place).</summary>
    public IEnumerable<string> Places => Findings.Select(f => f.Finding).Where(f => f.Locations.Count > 0)
        .GroupBy(f => (f.Repo, f.Locations[0].Path))
        .Select(g => $"{g.Key.Repo}: {g.Key.Path}:{g.Min(f => f.Locations[0].Line)}");
}

/// <summary>
/// Risk order for the org summaries: exposed (new, open) before rotated before resolved; then a key IAM flags
/// (an alert on its plan); then severity, critical first; then new before open; then the oldest exposure first.
/// </summary>
internal static class OrgRisk
{
    public static int SeverityRank(string severity) => severity switch
    {
        "critical" => 0, "high" => 1, "medium" => 2, "low" => 3, "info" => 4, _ => 5,
    };

    private static int ExposureRank(string status) => status switch { "new" or "open" => 0, "rotated" => 1, _ => 2 };

    public static List<RiskedFinding> Findings(OrgSummary s)
    {
        var plans = s.Plans?.Plans.GroupBy(p => p.KeyId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal)
                    ?? new Dictionary<string, KeyPlan>(StringComparer.Ordinal);
        return s.All.Select(x =>
            {
                var plan = x.Finding.KeyId != null ? plans.GetValueOrDefault(x.Finding.KeyId) : null;
                // An offline plan (leaked-unknown) knows less than the rule; a plan built on IAM facts knows more.
                var severity = plan != null && plan.Kind != "leaked-unknown" ? plan.Severity : x.Finding.Severity;
                return new RiskedFinding(x.Finding, x.Status, severity, Owner(plan), plan?.Alert != null);
            })
            .OrderBy(f => ExposureRank(f.Status)).ThenBy(f => f.Alert ? 0 : 1).ThenBy(f => SeverityRank(f.Severity))
            .ThenBy(f => f.Status == "new" ? 0 : 1)
            .ThenBy(f => OrgSummary.FirstExposure(f.Finding), StringComparer.Ordinal)
            .ThenBy(f => f.Finding.Repo, StringComparer.Ordinal).ThenBy(f => f.Finding.Fingerprint, StringComparer.Ordinal).ToList();
    }

    /// <summary>One row per distinct key, in risk order; a key's risk is that of its riskiest finding.</summary>
    public static List<KeyRollup> Keys(IReadOnlyList<RiskedFinding> ordered)
    {
        // Grouping keeps the risk order: each key's first finding is its riskiest, and keys come in the order of those.
        return ordered.GroupBy(f => f.Finding.KeyId ?? "fp:" + f.Finding.Fingerprint, StringComparer.Ordinal).Select(g =>
        {
            var first = g.First();
            var statuses = g.Select(f => f.Status).ToHashSet();
            var status = new[] { "new", "open", "rotated", "resolved" }.First(x => statuses.Contains(x) || x == "resolved");
            return new KeyRollup(first.Finding.KeyId ?? first.Finding.Redacted, first.Finding.KeyId, first.Severity, status,
                g.Select(f => f.Owner).FirstOrDefault(o => o != null), g.Any(f => f.Alert),
                g.Any(f => BuiltInDetectors.RoleOf(f.Finding.Rule) == CredentialRole.Secret),
                g.ToList(), g.Select(f => f.Finding.Repo).Distinct(StringComparer.Ordinal).ToList(),
                g.Select(f => OrgSummary.FirstExposure(f.Finding)).Min(StringComparer.Ordinal)!);
        }).ToList();
    }

    /// <summary>Who holds the key, as IAM said (--verify): an IAM user, the root user, or another account.</summary>
    private static string? Owner(KeyPlan? plan) => plan switch
    {
        null => null,
        { Kind: "root" } => "root user" + (plan.Account != null ? $" of {plan.Account}" : ""),
        { Kind: "foreign" } => "another account" + (plan.Account != null ? $" ({plan.Account})" : ""),
        { UserName: { Length: > 0 } user } when !user.StartsWith('<') => user,
        _ => null,
    };
}
