using KeyGuard.Detection.Detectors;
using KeyGuard.Findings;
using KeyGuard.Reporting;
using KeyGuard.Scanning;
using KeyGuard.Sources;

namespace KeyGuard.Org;

/// <summary>
/// Per-repository reports in the scan formats (JSON v1 and SARIF) through the existing reporters: every tracked
/// finding that is not resolved, one per fingerprint at its earliest place, the other places as occurrences, with
/// status, firstSeen and lastSeen as extra fields.
/// </summary>
internal static class RepoReports
{
    public static void Write(RepoSummary repo, string dir, IReadOnlyList<Detection.Rule> rules)
    {
        var result = ToScanResult(repo);
        var name = RepoSpec.FileNameFor(repo.Repo.Repo);
        var options = new ReportOptions { Rules = rules };
        using (var json = SecureFile.Create(Path.Combine(dir, name + ".json"))) new JsonReporter().Write(result, json, options);
        using (var sarif = SecureFile.Create(Path.Combine(dir, name + ".sarif"))) new SarifReporter().Write(result, sarif, options);
    }

    public static ScanResult ToScanResult(RepoSummary repo)
    {
        var result = new ScanResult();
        if (repo.Repo.Outcome != "ok") result.Errors.Add(new ScanError(repo.Repo.Repo, repo.Repo.Error ?? "failed"));
        foreach (var (f, status) in repo.Findings)
            if (status != "resolved" && ToFinding(f, status) is { } finding) result.Findings.Add(finding);
        result.Stats.Commits = repo.Repo.Commits;
        result.Stats.Blobs = repo.Repo.Blobs;
        result.Stats.FilesScanned = repo.Repo.Blobs;
        result.Stats.BytesScanned = repo.Repo.Bytes;
        result.Stats.DurationMs = repo.Repo.DurationMs;
        result.Sort();
        return result;
    }

    private static Finding? ToFinding(FindingRecord f, string status)
    {
        var first = f.Locations.FirstOrDefault();
        if (first == null) return null;
        var finding = new Finding
        {
            RuleId = f.Rule,
            RuleTitle = f.Title,
            Role = BuiltInDetectors.RoleOf(f.Rule),
            Severity = f.Severity,
            Source = new Provenance(first.Path, first.Kind == "message" ? SourceKind.CommitMessage : SourceKind.Commit)
            {
                Commit = first.Commit, Author = first.Author, Email = first.Email, Date = Parse(first.Date),
                BlobId = first.Kind == "blob" ? first.Object : null,
            },
            Line = first.Line,
            Column = first.Column,
            EndColumn = first.EndColumn,
            Secret = StandIn(f),
            Fingerprint = f.Fingerprint,
            KeyId = f.KeyId,
            Account = f.Account,
            KeyKind = f.KeyKind,
            Tracking = new FindingTracking(f.Repo, status, f.FirstSeen, f.LastSeen, f.RotatedAt),
        };
        foreach (var l in f.Locations.Skip(1).Take(50)) finding.Occurrences.Add(new Occurrence(l.Path, l.Line, l.Commit, l.Author, Parse(l.Date)));
        return finding;
    }

    /// <summary>
    /// The state never holds the secret, but a <see cref="Finding"/> needs one: a stand-in of the same length that
    /// starts with the stored redacted prefix redacts to exactly the stored form (key IDs are identifiers, kept whole).
    /// </summary>
    internal static string StandIn(FindingRecord f)
    {
        if (BuiltInDetectors.RoleOf(f.Rule) == CredentialRole.KeyId) return f.Redacted;
        int cut = f.Redacted.IndexOf('…');
        var prefix = cut >= 0 ? f.Redacted[..cut] : "";
        return prefix + new string('*', Math.Max(0, f.SecretLength - prefix.Length));
    }

    private static DateTimeOffset? Parse(string? s) =>
        DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var d) ? d : null;
}
