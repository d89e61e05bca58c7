using System.Text;

namespace KeyGuard.Planning;

/// <summary>The plan for people: alerts first, then each key with its evidence and numbered steps.</summary>
internal static class PlanMarkdown
{
    public static string Render(PlanDocument doc)
    {
        var sb = new StringBuilder();
        sb.Append("# KeyGuard remediation plan\n\n");
        sb.Append($"Generated {doc.Generated.UtcDateTime:yyyy-MM-dd HH:mm} UTC. {doc.Plans.Count} key{(doc.Plans.Count == 1 ? "" : "s")}.\n\n");
        var alerts = doc.Plans.Where(p => p.Alert != null).ToList();
        if (alerts.Count > 0)
        {
            sb.Append("## ⚠ Possible misuse — investigate first\n\n");
            foreach (var a in alerts) sb.Append($"- **{a.Alert}**\n");
            sb.Append('\n');
        }
        sb.Append("| key | kind | severity | user | account |\n|---|---|---|---|---|\n");
        foreach (var p in doc.Plans) sb.Append($"| `{p.KeyId}` | {p.Kind} | {p.Severity} | {p.UserName ?? "—"} | {p.Account ?? "—"} |\n");
        foreach (var p in doc.Plans)
        {
            sb.Append($"\n## `{p.KeyId}` — {p.Kind} ({p.Severity})\n\n");
            if (p.Alert != null) sb.Append($"> **{p.Alert}**\n\n");
            sb.Append("Evidence:\n\n");
            // Evidence names the files a key leaked in: escape their control characters (the plan is often printed).
            foreach (var e in p.Evidence) sb.Append($"- {Reporting.ControlCharacters.Escape(e)}\n");
            sb.Append("\nSteps:\n\n");
            int n = 1;
            foreach (var s in p.Steps)
            {
                sb.Append($"{n++}. **{s.Title}**{(s.Automatable ? " _(keyguard apply can do this)_" : "")}  \n   Why: {s.Reason}\n");
                if (s.Cli != null) sb.Append($"   ```sh\n   {s.Cli}\n   ```\n");
                if (s.Api != null) sb.Append($"   IAM call: `{s.Api}`\n");
            }
        }
        return sb.ToString();
    }
}
