using System.Text.Json;

namespace KeyGuard.Org;

/// <summary>The machine summary (summary.json, version 1): totals, repositories, keys (one per distinct key) and findings, in risk order. No secrets.</summary>
internal static class SummaryJson
{
    public static void Write(OrgSummary s, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteString("generated", s.Generated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        if (s.Run is { } run)
        {
            w.WriteStartObject("run");
            w.WriteNumber("id", run.Id);
            w.WriteString("started", run.Started);
            if (run.Finished != null) w.WriteString("finished", run.Finished);
            if (run.Shard != null) w.WriteString("shard", run.Shard);
            w.WriteEndObject();
        }
        w.WriteStartObject("totals");
        w.WriteNumber("repositories", s.Repos.Count);
        w.WriteNumber("failed", s.Failed.Count());
        w.WriteNumber("commits", s.Commits);
        w.WriteNumber("blobs", s.Blobs);
        foreach (var status in new[] { "new", "open", "rotated", "resolved" }) w.WriteNumber(status, s.Total(status));
        w.WriteEndObject();
        w.WriteStartArray("repositories");
        foreach (var r in s.Repos)
        {
            w.WriteStartObject();
            w.WriteString("repo", r.Repo.Repo);
            if (r.Repo.Location != null) w.WriteString("location", r.Repo.Location);
            w.WriteString("outcome", r.Repo.Outcome);
            if (r.Repo.Error != null) w.WriteString("error", r.Repo.Error);
            w.WriteNumber("lastRun", r.Repo.LastRun);
            if (r.Repo.ScannedAt != null) w.WriteString("scannedAt", r.Repo.ScannedAt);
            if (r.Repo.Shard != null) w.WriteString("shard", r.Repo.Shard);
            w.WriteNumber("commits", r.Repo.Commits);
            w.WriteNumber("blobs", r.Repo.Blobs);
            w.WriteNumber("bytes", r.Repo.Bytes);
            w.WriteNumber("durationMs", r.Repo.DurationMs);
            foreach (var status in new[] { "new", "open", "rotated", "resolved" }) w.WriteNumber(status, r.Count(status));
            w.WriteString("report", RepoSpec.FileNameFor(r.Repo.Repo) + ".json");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        // One entry per distinct key across repositories, in risk order (the same order as the findings).
        w.WriteStartArray("keys");
        foreach (var k in s.Keys())
        {
            w.WriteStartObject();
            w.WriteString("key", k.Key);
            if (k.KeyId != null) w.WriteString("keyId", k.KeyId);
            w.WriteString("severity", k.Severity);
            w.WriteString("status", k.Status);
            if (k.Owner != null) w.WriteString("owner", k.Owner);
            w.WriteBoolean("secretLeaked", k.SecretLeaked);
            w.WriteString("exposedSince", k.ExposedSince);
            w.WriteStartArray("repositories");
            foreach (var repo in k.Repos) w.WriteStringValue(repo);
            w.WriteEndArray();
            w.WriteStartArray("fingerprints");
            foreach (var f in k.Findings) w.WriteStringValue(f.Finding.Fingerprint);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("findings");
        foreach (var r in s.ByRisk())
        {
            var (f, status) = (r.Finding, r.Status);
            w.WriteStartObject();
            w.WriteString("repo", f.Repo);
            w.WriteString("status", status);
            w.WriteString("rule", f.Rule);
            w.WriteString("severity", f.Severity);
            // The severity the summaries sort by: the plan's once IAM facts (--verify) sharpened it, else the rule's.
            w.WriteString("risk", r.Severity);
            if (r.Owner != null) w.WriteString("owner", r.Owner);
            w.WriteString("fingerprint", f.Fingerprint);
            w.WriteString("secret", f.Redacted);
            if (f.KeyId != null) w.WriteString("keyId", f.KeyId);
            if (f.Account != null) w.WriteString("account", f.Account);
            w.WriteString("firstSeen", f.FirstSeen);
            w.WriteString("lastSeen", f.LastSeen);
            w.WriteString("exposedSince", OrgSummary.FirstExposure(f));
            if (f.ResolvedAt != null) w.WriteString("resolvedAt", f.ResolvedAt);
            if (f.RotatedAt != null) w.WriteString("rotatedAt", f.RotatedAt);
            if (f.Locations.FirstOrDefault() is { } l)
            {
                w.WriteString("path", l.Path);
                w.WriteNumber("line", l.Line);
                if (l.Commit != null) w.WriteString("commit", l.Commit);
            }
            w.WriteNumber("places", f.Locations.Count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (s.Plans != null) w.WriteString("plans", "plan.json");
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
    }
}
