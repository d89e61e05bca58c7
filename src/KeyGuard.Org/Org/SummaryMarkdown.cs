using System.Text;

namespace KeyGuard.Org;

/// <summary>
/// summary.md: totals, failed repositories, one row per distinct key, then every finding, both in risk order with a
/// severity column (and the owner with --verify), then plans if made. The same page cut to a byte budget is the CI
/// step summary (step-summary.md): the highest-risk rows that fit, and where the rest is.
/// </summary>
internal static class SummaryMarkdown
{
    public static string Render(OrgSummary s) => Render(s, null);

    /// <param name="budget">null: everything (summary.md); else the step summary's limits.</param>
    internal static string Render(OrgSummary s, StepSummaryBudget? budget)
    {
        var text = new BoundedText(budget?.MaxBytes - budget?.Reserve);
        var keys = s.Keys();
        var findings = s.ByRisk();
        text.Append("# KeyGuard org scan\n\n");
        text.Append($"Generated {s.Generated.UtcDateTime:yyyy-MM-dd HH:mm} UTC{(s.Run is { } r ? $", run {r.Id}{(r.Shard is { } sh && sh != "0/1" ? $" (shard {sh})" : "")}" : "")}. ");
        text.Append($"{s.Repos.Count:N0} repositories, {s.Failed.Count():N0} failed; {s.Commits:N0} commits and {s.Blobs:N0} blobs scanned in the latest scans.\n\n");
        text.Append($"| new | open | rotated | resolved |\n|---|---|---|---|\n| {s.Total("new"):N0} | {s.Total("open"):N0} | {s.Total("rotated"):N0} | {s.Total("resolved"):N0} |\n\n");
        var exposed = keys.Where(k => k.Status is "new" or "open").ToList();
        if (exposed.Count > 0)
            text.Append($"Exposed keys: {exposed.Count:N0} ({string.Join(", ", exposed.GroupBy(k => k.Severity).OrderBy(g => OrgRisk.SeverityRank(g.Key)).Select(g => $"{g.Count():N0} {g.Key}"))}).\n\n");

        var failed = s.Failed.ToList();
        if (failed.Count > 0)
        {
            text.Append("## Failed repositories\n\n");
            Table(text, "| repository | error |\n|---|---|\n", failed.Select(f => $"| `{Cell(f.Repo.Repo)}` | {Cell(f.Repo.Error ?? "")} |\n"),
                failed.Count, budget?.MaxRows, "failed repositories");
        }

        bool owners = s.Verified;
        text.Append("## Keys\n\nOne row per distinct key across repositories, by risk.\n\n");
        if (keys.Count == 0) text.Append("None.\n\n");
        else
            Table(text, $"| severity | key | status |{(owners ? " owner |" : "")} secret leaked | repositories | seen in | exposed since |\n|---|---|---|{(owners ? "---|" : "")}---|---|---|---|\n",
                keys.Select(k => KeyRow(k, owners)), keys.Count, budget?.MaxRows, "keys");

        text.Append("## Findings\n\nBy risk: exposed first, then severity, new before open, oldest exposure first.\n\n");
        if (findings.Count == 0) text.Append("None.\n\n");
        else
            Table(text, $"| severity | status | repository | rule | secret | key ID |{(owners ? " owner |" : "")} where | exposed since | first seen |\n|---|---|---|---|---|---|{(owners ? "---|" : "")}---|---|---|\n",
                findings.Select(f => FindingRow(f, owners)), findings.Count, budget?.MaxRows, "findings");

        if (s.Plans is { } plans)
        {
            text.Append(s.Verified
                ? "## Remediation plans\n\nBuilt with IAM facts (`--verify`): owners, status and last use. Details: `plan.md`.\n\n"
                : "## Remediation plans (offline)\n\nNo IAM facts were looked up: each key's plan starts by identifying its owner. Details: `plan.md`.\n\n");
            Table(text, "| key | kind | severity | owner | first step |\n|---|---|---|---|---|\n", plans.Plans.Select(p =>
                    $"| `{p.KeyId}` | {p.Kind} | {p.Severity} | {Cell(p.UserName ?? "—")} | {Cell(p.Steps.FirstOrDefault()?.Title ?? "")}{(p.Steps.FirstOrDefault()?.Cli is { } cli ? $": `{Cell(cli)}`" : "")} |\n"),
                plans.Plans.Count, budget?.MaxRows, "plans");
        }
        if (budget != null)
        {
            text.Unbounded();
            text.Append(text.Cut
                ? $"---\nThis step summary is cut to stay under {budget.MaxBytes / 1024:N0} KiB (GitHub's limit is 1 MiB): it shows the highest-risk rows. " +
                  $"All {keys.Count:N0} keys and {findings.Count:N0} findings are in `summary.md`, `summary.html` and `summary.json` of the report folder"
                : "---\nFull report: `summary.md`, `summary.html` and `summary.json` of the report folder");
            text.Append(budget.ReportLink is { } link ? $" ([{Cell(link.Label)}]({link.Url})).\n" : ".\n");
        }
        return text.ToString();
    }

    private static void Table(BoundedText text, string header, IEnumerable<string> rows, int count, int? maxRows, string what)
    {
        if (!text.TryAppend(header)) { text.Note($"_{count:N0} {what}: not shown here, see the full report._\n\n"); return; }
        int shown = 0;
        foreach (var row in rows)
        {
            if ((maxRows is { } max && shown >= max) || !text.TryAppend(row)) break;
            shown++;
        }
        text.Append("\n");
        if (shown < count) text.Note($"_… and {count - shown:N0} more {what} (lower risk): see the full report._\n\n");
    }

    private static string KeyRow(KeyRollup k, bool owners)
    {
        var places = k.Places.ToList();
        var seen = string.Join("; ", places.Take(3).Select(Cell)) + (places.Count > 3 ? $"; +{places.Count - 3:N0} more" : "");
        return $"| {Severity(k.Severity)} | `{Cell(k.Key)}` | **{k.Status}** |{(owners ? $" {Cell(k.Owner ?? "—")} |" : "")} {(k.SecretLeaked ? "yes" : "no")} | {k.Repos.Count:N0} | {seen} | {Day(k.ExposedSince)} |\n";
    }

    private static string FindingRow(RiskedFinding r, bool owners)
    {
        var f = r.Finding;
        var l = f.Locations.FirstOrDefault();
        var where = l == null ? "" : $"{l.Path}:{l.Line}{(l.Commit != null ? $" @ {l.Commit[..Math.Min(12, l.Commit.Length)]}" : "")}";
        return $"| {Severity(r.Severity)} | **{r.Status}** | `{Cell(f.Repo)}` | {f.Rule} | `{Cell(f.Redacted)}` | {(f.KeyId != null ? $"`{f.KeyId}`" : "—")} |{(owners ? $" {Cell(r.Owner ?? "—")} |" : "")} {Cell(where)} | {Day(OrgSummary.FirstExposure(f))} | {Day(f.FirstSeen)} |\n";
    }

    private static string Severity(string s) => OrgRisk.SeverityRank(s) <= 1 ? $"**{s}**" : s;
    private static string Day(string iso) => iso.Length >= 10 ? iso[..10] : iso;
    // Control characters from the repository (file names) are escaped, which also keeps a row on one line.
    private static string Cell(string s) => Reporting.ControlCharacters.Escape(s).Replace("|", "\\|");
}

/// <summary>The limits of a CI step summary and where the full report is.</summary>
internal sealed record StepSummaryBudget(long MaxBytes, int MaxRows, (string Label, string Url)? ReportLink)
{
    /// <summary>GitHub refuses a step summary over 1 MiB; stay well under it, leaving room for other steps' lines.</summary>
    public const long GitHubMaxBytes = 900 * 1024;

    /// <summary>Bytes kept back for the notes and the closing pointer, which are always written.</summary>
    public long Reserve => 8 * 1024;

    /// <summary>In GitHub Actions, a link to the run (its page lists the artifact that holds the full report).</summary>
    public static StepSummaryBudget ForGitHub(Func<string, string?> env)
    {
        var server = env("GITHUB_SERVER_URL");
        var repo = env("GITHUB_REPOSITORY");
        var run = env("GITHUB_RUN_ID");
        bool known = server is { Length: > 0 } && repo is { Length: > 0 } && run is { Length: > 0 } && run.All(char.IsAsciiDigit)
                     && Uri.TryCreate($"{server.TrimEnd('/')}/{repo}/actions/runs/{run}", UriKind.Absolute, out _);
        return new StepSummaryBudget(GitHubMaxBytes, 1000, known ? ("this run's artifacts", $"{server!.TrimEnd('/')}/{repo}/actions/runs/{run}") : null);
    }
}

/// <summary>Text with an optional UTF-8 byte budget: rows that would pass it are refused; notes always fit (the budget keeps room for them).</summary>
internal sealed class BoundedText(long? maxBytes)
{
    private readonly StringBuilder _text = new();
    private long _bytes;
    private long? _max = maxBytes;

    public bool Cut { get; private set; }

    public void Append(string s)
    {
        _text.Append(s);
        _bytes += Encoding.UTF8.GetByteCount(s);
    }

    public bool TryAppend(string s)
    {
        if (_max is { } max && _bytes + Encoding.UTF8.GetByteCount(s) > max) { Cut = true; return false; }
        Append(s);
        return true;
    }

    public void Note(string s)
    {
        Cut = true;
        Append(s);
    }

    public void Unbounded() => _max = null;

    public override string ToString() => _text.ToString();
}
