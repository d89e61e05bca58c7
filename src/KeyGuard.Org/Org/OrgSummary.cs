using KeyGuard.Detection.Detectors;
using KeyGuard.Findings;
using KeyGuard.Planning;

namespace KeyGuard.Org;

/// <summary>One repository in the summary, with its tracked findings.</summary>
internal sealed record RepoSummary(RepoRecord Repo, List<(FindingRecord Finding, string Status)> Findings)
{
    public int Count(string status) => Findings.Count(f => f.Status == status);
}

/// <summary>
/// What the org summary reports, read from the state: repositories (failed ones flagged), findings with their status,
/// and optionally a remediation plan per exposed key. The same model feeds the Markdown, HTML and JSON summaries and
/// the per-repository reports, for org-scan and org-merge alike.
/// </summary>
internal sealed class OrgSummary
{
    public required DateTimeOffset Generated { get; init; }
    public required List<RepoSummary> Repos { get; init; }
    public PlanDocument? Plans { get; init; }
    public RunInfo? Run { get; init; }
    /// <summary>The plans were made with IAM facts (--verify), so they name owners and real plan kinds.</summary>
    public bool Verified { get; init; }

    private List<RiskedFinding>? _byRisk;
    private List<KeyRollup>? _keys;

    /// <summary>Every finding in risk order, with its severity and owner (what the summaries list).</summary>
    internal List<RiskedFinding> ByRisk() => _byRisk ??= OrgRisk.Findings(this);

    /// <summary>One row per distinct key across repositories, in risk order.</summary>
    internal List<KeyRollup> Keys() => _keys ??= OrgRisk.Keys(ByRisk());

    public IEnumerable<RepoSummary> Failed => Repos.Where(r => r.Repo.Outcome != "ok");
    public IEnumerable<(FindingRecord Finding, string Status)> All => Repos.SelectMany(r => r.Findings);

    /// <summary>New first, then open by age (oldest exposure first), then rotated, then resolved.</summary>
    public List<(FindingRecord Finding, string Status)> Ordered() =>
        All.OrderBy(f => f.Status switch { "new" => 0, "open" => 1, "rotated" => 2, _ => 3 })
           .ThenBy(f => FirstExposure(f.Finding), StringComparer.Ordinal)
           .ThenBy(f => f.Finding.Repo, StringComparer.Ordinal).ThenBy(f => f.Finding.Fingerprint, StringComparer.Ordinal).ToList();

    /// <summary>When the secret entered history (its earliest commit date), else when KeyGuard first saw it.</summary>
    public static string FirstExposure(FindingRecord f) => f.Locations.Select(l => l.Date).Where(d => d != null).Min() ?? f.FirstSeen;

    public int Total(string status) => All.Count(f => f.Status == status);
    public long Blobs => Repos.Sum(r => r.Repo.Blobs);
    public long Commits => Repos.Sum(r => r.Repo.Commits);

    /// <param name="only">The repositories of this run (a shard); null: every repository in the state.</param>
    /// <param name="plan">Build an offline plan per exposed key (facts: IAM facts by key ID, empty until enrichment is wired).</param>
    public static OrgSummary Build(OrgState state, IReadOnlyCollection<string>? only, bool plan, IReadOnlyDictionary<string, KeyGuard.Findings.KeyFacts>? facts = null)
    {
        var selected = only?.ToHashSet(StringComparer.Ordinal);
        var repos = state.ReadRepos().Where(r => selected == null || selected.Contains(r.Repo)).ToList();
        var byRepo = state.ReadFindings().GroupBy(f => f.Repo).ToDictionary(g => g.Key, g => g.ToList());
        var summaries = repos.Select(r => new RepoSummary(r,
            (byRepo.GetValueOrDefault(r.Repo) ?? []).Select(f => (f, f.Status(r.LastRun))).ToList())).ToList();
        var summary = new OrgSummary { Generated = DateTimeOffset.UtcNow, Repos = summaries, Run = state.LastRun(), Verified = facts != null };
        return plan ? summary.WithPlans(facts ?? new Dictionary<string, KeyGuard.Findings.KeyFacts>()) : summary;
    }

    /// <summary>
    /// Plans for keys still exposed (new/open). Without IAM facts the planner says "leaked-unknown" and starts with
    /// identifying the owner; enrichment (--verify, to be wired) fills <paramref name="facts"/> and sharpens them.
    /// </summary>
    private OrgSummary WithPlans(IReadOnlyDictionary<string, KeyGuard.Findings.KeyFacts> facts)
    {
        var exposed = All.Where(f => f.Status is "new" or "open" && f.Finding.KeyId != null).Select(f => f.Finding).ToList();
        // The same grouping as `plan` (LeakedKeys), from the state's rows: each place a key was seen is one sighting,
        // named repo:path, dated by its commit, the key's first exposure standing in for a history sweep's introduction.
        var sightings = exposed.SelectMany(f => f.Locations.Select(l => new LeakSighting(f.KeyId, BuiltInDetectors.RoleOf(f.Rule), f.Rule,
            $"{f.Repo}:{l.Path}", l.Line, l.Commit, ParseDate(l.Date), ParseDate(FirstExposure(f)), f.Account, null))
            .DefaultIfEmpty(new LeakSighting(f.KeyId, BuiltInDetectors.RoleOf(f.Rule), f.Rule, f.Repo, 0, null, null, ParseDate(FirstExposure(f)), f.Account, null))).ToList();
        // A summary names the first 20 places of a key; the state keeps them all.
        var leaks = LeakedKeys.From(sightings, _ => null).Select(k => k with { Locations = k.Locations.Take(20).ToList() }).ToList();
        var document = new Planner(new PlanOptions { Now = Generated }).Build(leaks, facts, []);
        return new OrgSummary { Generated = Generated, Repos = Repos, Run = Run, Plans = document, Verified = Verified };
    }

    private static DateTimeOffset? ParseDate(string? s) =>
        DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var d) ? d : null;
}
