using System.Text.Json;

namespace KeyGuard.Org;

/// <summary>The machine summary (summary.json, version 1): totals, repositories, keys (one per distinct key) and findings, in risk order. No secrets.</summary>
internal static class SummaryJson
{
    public static void Write(OrgSummary s, Stream output)
    {
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
            JsonSerializer.Serialize(w, Document(s), OrgJsonContext.Default.SummaryDocument);
        output.WriteByte((byte)'\n');
    }

    internal static SummaryDocument Document(OrgSummary s) => new(
        1,
        s.Generated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        s.Run is { } run ? new RunDocument(run.Id, run.Started, run.Finished, run.Shard) : null,
        new TotalsDocument(s.Repos.Count, s.Failed.Count(), s.Commits, s.Blobs, s.Total("new"), s.Total("open"), s.Total("rotated"), s.Total("resolved")),
        s.Repos.Select(r => new RepositoryDocument(r.Repo.Repo, r.Repo.Location, r.Repo.Outcome, r.Repo.Error, r.Repo.LastRun, r.Repo.ScannedAt,
            r.Repo.Shard, r.Repo.Commits, r.Repo.Blobs, r.Repo.Bytes, r.Repo.DurationMs, r.Count("new"), r.Count("open"), r.Count("rotated"),
            r.Count("resolved"), RepoSpec.FileNameFor(r.Repo.Repo) + ".json")),
        // One entry per distinct key across repositories, in risk order (the same order as the findings).
        s.Keys().Select(k => new KeyDocument(k.Key, k.KeyId, k.Severity, k.Status, k.Owner, k.SecretLeaked, k.ExposedSince, k.Repos,
            k.Findings.Select(f => f.Finding.Fingerprint))),
        s.ByRisk().Select(Finding),
        s.Plans != null ? "plan.json" : null);

    private static SummaryFindingDocument Finding(RiskedFinding r)
    {
        var f = r.Finding;
        var first = f.Locations.FirstOrDefault();
        return new SummaryFindingDocument(f.Repo, r.Status, f.Rule, f.Severity, r.Severity, r.Owner, f.Fingerprint, f.Redacted, f.KeyId,
            f.Account, f.FirstSeen, f.LastSeen, OrgSummary.FirstExposure(f), f.ResolvedAt, f.RotatedAt, first?.Path, first?.Line, first?.Commit,
            f.Locations.Count);
    }
}
