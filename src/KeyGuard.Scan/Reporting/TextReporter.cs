using KeyGuard.Findings;
using KeyGuard.Scanning;

namespace KeyGuard.Reporting;

/// <summary>
/// Human output: one line per finding, <c>path:line:column</c> first so editors and terminals can jump to it.
/// Colour only when asked (the CLI asks when stdout is a terminal). Everything taken from the scanned repository goes
/// through <see cref="ControlCharacters.Escape"/>: one finding is one line, and no escape sequence reaches the terminal.
/// </summary>
internal sealed class TextReporter : IScanReporter
{
    public void Write(ScanResult result, Stream output, ReportOptions options)
    {
        using var w = new StreamWriter(output, leaveOpen: true) { NewLine = "\n" };
        string C(string code, string s) => options.Color ? $"\x1b[{code}m{s}\x1b[0m" : s;
        static string E(string s) => ControlCharacters.Escape(s);
        // A pair's two lines carry one key's IAM facts: printed in full on the first line of that key, referred to after.
        var factsShown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in InReadingOrder(result.Findings))
        {
            var where = f.Source.Commit != null ? $"{f.Source.Commit[..Math.Min(12, f.Source.Commit.Length)]}:{f.Path}" : f.Path;
            var parts = new List<string> { C("1", $"{E(where)}:{f.Line}:{f.Column}"), C(SeverityColour(f.Severity), E(f.RuleId)) };
            if (f.Role != CredentialRole.KeyId) parts.Add(E(f.Display(options.ShowSecrets)));
            if (f.KeyId != null) parts.Add("key " + E(f.KeyId));
            if (f.KeyKind != null && f.Role == CredentialRole.KeyId) parts.Add(E(f.KeyKind));
            if (f.Account != null) parts.Add("account " + E(f.Account));
            if (f.PairedWith.Count > 0) parts.Add(C("31", "paired"));
            if (f.Facts is { } facts)
                parts.Add(f.KeyId != null && !factsShown.Add(f.KeyId) ? $"[IAM facts of key {E(f.KeyId)} above]" : E(Facts(facts)));
            if (f.History is { } history)
                parts.Add(history.PresentAtHead ? C("31", "still at HEAD")
                    : history.RemovedIn is { } sha ? $"removed in {sha[..Math.Min(12, sha.Length)]}" : "not at HEAD");
            w.WriteLine(string.Join("  ", parts));
            if (options.Verbose && f.Occurrences.Count > 1)
                foreach (var o in f.Occurrences) w.WriteLine($"    also {o.Commit?[..Math.Min(12, o.Commit.Length)]}:{E(o.Path)}:{o.Line}");
        }
        foreach (var b in result.BaselineUnseen)
            w.WriteLine($"baseline entry no longer seen: {E(b.Rule)} {E(b.KeyId ?? b.Fingerprint)} (was in {E(b.Path)})");
    }

    /// <summary>
    /// Path order, unless IAM was asked (--verify): then the riskiest keys first (critical before high …), path order
    /// within a severity. Both halves of a pair share their key's severity, so they stay together.
    /// </summary>
    internal static IEnumerable<Finding> InReadingOrder(IReadOnlyList<Finding> findings) =>
        findings.Any(f => f.Facts != null) ? findings.OrderByDescending(f => SeverityRank(f.Severity)) : findings;

    private static int SeverityRank(string severity) => severity switch
    {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    };

    /// <summary>
    /// What was skipped (with -v) and the one-line summary: diagnostics, not findings, so the CLI writes them to
    /// stderr, where grep and wc -l on the report do not see them, and where they show when the report goes to a file.
    /// </summary>
    public static IEnumerable<string> Diagnostics(ScanResult result, bool verbose)
    {
        if (verbose)
        {
            foreach (var b in result.BinaryFiles) yield return $"skipped binary: {ControlCharacters.Escape(b)}";
            foreach (var link in result.SkippedSymlinks) yield return $"skipped symlink: {ControlCharacters.Escape(link)}";
        }
    }

    public static string Summary(ScanResult result)
    {
        var s = result.Stats;
        var summary = $"{result.Findings.Count} finding{(result.Findings.Count == 1 ? "" : "s")}; scanned {s.FilesScanned:N0} file{(s.FilesScanned == 1 ? "" : "s")}, {Size(s.BytesScanned)}";
        if (s.Commits > 0) summary += $", {s.Commits:N0} commits, {s.Blobs:N0} blobs";
        if (s.BinarySkipped > 0) summary += $"; {s.BinarySkipped} binary skipped";
        long suppressed = s.SuppressedInline + s.SuppressedAllowlist + s.SuppressedBaseline;
        if (suppressed > 0) summary += $"; {suppressed} suppressed";
        if (result.Errors.Count > 0) summary += $"; {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}";
        summary += $" in {s.DurationMs / 1000.0:0.00}s";
        return summary;
    }

    private static string Facts(KeyFacts f)
    {
        var bits = new List<string> { $"ownership={KeyFactsJson.OwnershipName(f.Ownership)}" };
        if (f.CanarySource is { } canary) bits.Add($"canary={canary}");
        if (f.UserName != null) bits.Add($"userName={f.UserName}");
        bits.Add($"status={KeyFactsJson.StatusName(f.Status)}");
        if (f.AgeDays is { } age) bits.Add($"ageDays={age}");
        if (f.LastUsedDate is { } used) bits.Add($"lastUsedDate={used:yyyy-MM-dd}");
        if (f.LastUsedService != null) bits.Add($"lastUsedService={f.LastUsedService}");
        if (f.LastUsedRegion != null) bits.Add($"lastUsedRegion={f.LastUsedRegion}");
        bits.Add($"severity={KeyFactsJson.SeverityName(f.Severity)}");
        if (f.LiveCheck.Result != LiveCheckResult.NotRequested)
        {
            bits.Add($"liveCheck={KeyFactsJson.LiveName(f.LiveCheck.Result)}");
            if (f.LiveCheck.Arn != null) bits.Add($"liveArn={f.LiveCheck.Arn}");
        }
        if (f.Error != null) bits.Add($"error={f.Error}");
        return "[" + string.Join(" ", bits) + "]";
    }

    private static string SeverityColour(string severity) => severity switch
    {
        "critical" => "1;31",
        "high" => "31",
        "medium" => "33",
        _ => "36",
    };

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1048576 => $"{bytes / 1024.0:0.0} KB",
        < 1073741824 => $"{bytes / 1048576.0:0.0} MB",
        _ => $"{bytes / 1073741824.0:0.00} GB",
    };
}
