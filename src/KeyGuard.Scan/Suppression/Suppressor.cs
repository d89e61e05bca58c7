using KeyGuard.Findings;
using KeyGuard.Scanning;

namespace KeyGuard.Suppression;

/// <summary>
/// Applies the allowlist and the baseline to a scan's findings (inline keyguard:allow was applied by the engine,
/// which has the line at hand). Counts what each removed.
/// </summary>
internal sealed class Suppressor(Allowlist allowlist, Baseline? baseline, Func<Finding, string?>? lineText = null,
    Func<BaselineEntry, bool>? baselineScope = null)
{
    public void Apply(ScanResult result)
    {
        if (baseline != null) result.BaselineUnseen.AddRange(baseline.Unseen(result.Findings, baselineScope));
        var kept = new List<Finding>(result.Findings.Count);
        foreach (var f in result.Findings)
        {
            if (!allowlist.IsEmpty && allowlist.Allows(f, allowlist.HasLineRules ? lineText?.Invoke(f) : null))
            { result.Stats.SuppressedAllowlist++; continue; }
            if (baseline != null && baseline.Contains(f)) { result.Stats.SuppressedBaseline++; continue; }
            kept.Add(f);
        }
        result.Findings.Clear();
        result.Findings.AddRange(kept);
    }
}
