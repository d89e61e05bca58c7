using System.Text;

namespace KeyGuard.Org;

/// <summary>summary.md: totals, failed repositories, then findings (new first, open by age), then plans if made.</summary>
internal static class SummaryMarkdown
{
    public static string Render(OrgSummary s)
    {
        var sb = new StringBuilder();
        sb.Append("# KeyGuard org scan\n\n");
        sb.Append($"Generated {s.Generated.UtcDateTime:yyyy-MM-dd HH:mm} UTC{(s.Run is { } r ? $", run {r.Id}{(r.Shard is { } sh && sh != "0/1" ? $" (shard {sh})" : "")}" : "")}. ");
        sb.Append($"{s.Repos.Count} repositories, {s.Failed.Count()} failed; {s.Commits:N0} commits and {s.Blobs:N0} blobs scanned in the latest scans.\n\n");
        sb.Append($"| new | open | rotated | resolved |\n|---|---|---|---|\n| {s.Total("new")} | {s.Total("open")} | {s.Total("rotated")} | {s.Total("resolved")} |\n\n");
        var failed = s.Failed.ToList();
        if (failed.Count > 0)
        {
            sb.Append("## Failed repositories\n\n| repository | error |\n|---|---|\n");
            foreach (var f in failed) sb.Append($"| `{Cell(f.Repo.Repo)}` | {Cell(f.Repo.Error ?? "")} |\n");
            sb.Append('\n');
        }
        var ordered = s.Ordered();
        sb.Append("## Findings\n\n");
        if (ordered.Count == 0) sb.Append("None.\n");
        else
        {
            sb.Append("| status | repository | rule | secret | key ID | where | exposed since | first seen |\n|---|---|---|---|---|---|---|---|\n");
            foreach (var (f, status) in ordered)
            {
                var l = f.Locations.FirstOrDefault();
                var where = l == null ? "" : $"{l.Path}:{l.Line}{(l.Commit != null ? $" @ {l.Commit[..Math.Min(12, l.Commit.Length)]}" : "")}";
                sb.Append($"| **{status}** | `{Cell(f.Repo)}` | {f.Rule} | `{Cell(f.Redacted)}` | {(f.KeyId != null ? $"`{f.KeyId}`" : "—")} | {Cell(where)} | {Day(OrgSummary.FirstExposure(f))} | {Day(f.FirstSeen)} |\n");
            }
        }
        if (s.Plans is { } plans)
        {
            sb.Append("\n## Remediation plans (offline)\n\n");
            sb.Append("No IAM facts were looked up: each key's plan starts by identifying its owner. Details: `plan.md`.\n\n");
            sb.Append("| key | kind | severity | first step |\n|---|---|---|---|\n");
            foreach (var p in plans.Plans)
                sb.Append($"| `{p.KeyId}` | {p.Kind} | {p.Severity} | {Cell(p.Steps.FirstOrDefault()?.Title ?? "")}{(p.Steps.FirstOrDefault()?.Cli is { } cli ? $": `{Cell(cli)}`" : "")} |\n");
        }
        return sb.ToString();
    }

    private static string Day(string iso) => iso.Length >= 10 ? iso[..10] : iso;
    // Control characters from the repository (file names) are escaped, which also keeps a row on one line.
    private static string Cell(string s) => Reporting.ControlCharacters.Escape(s).Replace("|", "\\|");
}
