using System.Net;
using System.Text;

namespace KeyGuard.Org;

/// <summary>summary.html: one self-contained page (inline CSS, no scripts, nothing fetched) with the same content as summary.md (every row: it is not cut like the step summary).</summary>
internal static class SummaryHtml
{
    public static string Render(OrgSummary s)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
          // Nothing may be fetched or run, even if an escaped name slipped through: the browser refuses every request.
          .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>KeyGuard org scan</title>\n<style>")
          .Append("body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
          .Append("th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}code{font-size:13px}")
          .Append(".new{color:#b00;font-weight:bold}.open{color:#c60}.rotated{color:#666}.resolved{color:#080}.failed{background:#fee}")
          .Append(".sev-critical{color:#fff;background:#b00;font-weight:bold}.sev-high{color:#b00;font-weight:bold}.sev-medium{color:#c60}")
          .Append("</style></head><body>\n<h1>KeyGuard org scan</h1>\n");
        sb.Append($"<p>Generated {s.Generated.UtcDateTime:yyyy-MM-dd HH:mm} UTC{(s.Run is { } r ? $", run {r.Id}" : "")}. {s.Repos.Count} repositories, {s.Failed.Count()} failed; ")
          .Append($"{s.Commits:N0} commits and {s.Blobs:N0} blobs scanned in the latest scans.</p>\n");
        sb.Append("<table><tr><th>new</th><th>open</th><th>rotated</th><th>resolved</th></tr>")
          .Append($"<tr><td class=\"new\">{s.Total("new")}</td><td class=\"open\">{s.Total("open")}</td><td>{s.Total("rotated")}</td><td>{s.Total("resolved")}</td></tr></table>\n");
        var failed = s.Failed.ToList();
        if (failed.Count > 0)
        {
            sb.Append("<h2>Failed repositories</h2>\n<table><tr><th>repository</th><th>error</th></tr>\n");
            foreach (var f in failed) sb.Append($"<tr class=\"failed\"><td><code>{E(f.Repo.Repo)}</code></td><td>{E(f.Repo.Error ?? "")}</td></tr>\n");
            sb.Append("</table>\n");
        }
        bool owners = s.Verified;
        var keys = s.Keys();
        sb.Append("<h2>Keys</h2>\n<p>One row per distinct key across repositories, by risk.</p>\n");
        if (keys.Count == 0) sb.Append("<p>None.</p>\n");
        else
        {
            sb.Append($"<table><tr><th>severity</th><th>key</th><th>status</th>{(owners ? "<th>owner</th>" : "")}<th>secret leaked</th><th>repositories</th><th>seen in</th><th>exposed since</th></tr>\n");
            foreach (var k in keys)
            {
                var places = k.Places.ToList();
                var seen = string.Join("<br>", places.Take(5).Select(E)) + (places.Count > 5 ? $"<br>+{places.Count - 5:N0} more" : "");
                sb.Append($"<tr><td class=\"sev-{E(k.Severity)}\">{E(k.Severity)}</td><td><code>{E(k.Key)}</code></td><td class=\"{k.Status}\">{k.Status}</td>")
                  .Append(owners ? $"<td>{E(k.Owner ?? "—")}</td>" : "")
                  .Append($"<td>{(k.SecretLeaked ? "yes" : "no")}</td><td>{k.Repos.Count:N0}</td><td>{seen}</td><td>{E(Day(k.ExposedSince))}</td></tr>\n");
            }
            sb.Append("</table>\n");
        }
        sb.Append("<h2>Findings</h2>\n<p>By risk: exposed first, then severity, new before open, oldest exposure first.</p>\n");
        var ordered = s.ByRisk();
        if (ordered.Count == 0) sb.Append("<p>None.</p>\n");
        else
        {
            sb.Append($"<table><tr><th>severity</th><th>status</th><th>repository</th><th>rule</th><th>secret</th><th>key ID</th>{(owners ? "<th>owner</th>" : "")}<th>where</th><th>exposed since</th><th>first seen</th></tr>\n");
            foreach (var risked in ordered)
            {
                var f = risked.Finding;
                var l = f.Locations.FirstOrDefault();
                var where = l == null ? "" : $"{l.Path}:{l.Line}{(l.Commit != null ? $" @ {l.Commit[..Math.Min(12, l.Commit.Length)]}" : "")}";
                sb.Append($"<tr><td class=\"sev-{E(risked.Severity)}\">{E(risked.Severity)}</td><td class=\"{risked.Status}\">{risked.Status}</td><td><code>{E(f.Repo)}</code></td><td>{E(f.Rule)}</td><td><code>{E(f.Redacted)}</code></td>")
                  .Append($"<td>{(f.KeyId != null ? $"<code>{E(f.KeyId)}</code>" : "—")}</td>{(owners ? $"<td>{E(risked.Owner ?? "—")}</td>" : "")}<td>{E(where)}</td><td>{E(Day(OrgSummary.FirstExposure(f)))}</td><td>{E(Day(f.FirstSeen))}</td></tr>\n");
            }
            sb.Append("</table>\n");
        }
        if (s.Plans is { } plans)
        {
            sb.Append(s.Verified ? "<h2>Remediation plans</h2>\n<p>Built with IAM facts (<code>--verify</code>): owners, status and last use.</p>\n"
                : "<h2>Remediation plans (offline)</h2>\n<p>No IAM facts were looked up: each key's plan starts by identifying its owner.</p>\n");
            foreach (var p in plans.Plans)
            {
                sb.Append($"<h3><code>{E(p.KeyId)}</code> — {E(p.Kind)} ({E(p.Severity)})</h3>\n<ul>");
                foreach (var e in p.Evidence) sb.Append($"<li>{E(e)}</li>");
                sb.Append("</ul>\n<ol>");
                foreach (var step in p.Steps) sb.Append($"<li><b>{E(step.Title)}</b> — {E(step.Reason)}{(step.Cli != null ? $"<br><code>{E(step.Cli)}</code>" : "")}</li>");
                sb.Append("</ol>\n");
            }
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static string Day(string iso) => iso.Length >= 10 ? iso[..10] : iso;
    // HtmlEncode leaves control characters alone; escape them too, for a page read with cat or less.
    private static string E(string s) => WebUtility.HtmlEncode(Reporting.ControlCharacters.Escape(s));
}
