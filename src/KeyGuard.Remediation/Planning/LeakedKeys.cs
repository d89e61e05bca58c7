using KeyGuard.Findings;

namespace KeyGuard.Planning;

/// <summary>One finding as the planner needs it, whether it came from a scan in memory or a findings file.</summary>
internal sealed record LeakSighting(string? KeyId, CredentialRole Role, string Rule, string Path, int Line, string? Commit,
    DateTimeOffset? Date, DateTimeOffset? Introduced, string? Account, KeyFacts? Facts)
{
    public static LeakSighting From(Finding f) => new(f.KeyId, f.Role, f.RuleId, f.Path, f.Line, f.Source.Commit, f.Source.Date,
        f.History?.Introduced.Date,
        f.Account, f.Facts);
}

/// <summary>
/// Findings to one <see cref="LeakedKey"/> per key ID, the same way for a fresh scan and a findings file. The leak date
/// is the earliest date known (a history sweep's introducing commit, a commit's date); for plain files it is when git
/// first saw the file, else its modification time.
/// </summary>
internal static class LeakedKeys
{
    public static List<LeakedKey> From(IReadOnlyList<LeakSighting> sightings, Func<string, DateTimeOffset?> fileAppeared)
    {
        // Asked once per file: for a file in git it is a walk of the history from HEAD, and a file often holds a key
        // ID, its secret and more keys.
        var appeared = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        DateTimeOffset? Appeared(string path) => appeared.TryGetValue(path, out var d) ? d : appeared[path] = fileAppeared(path);
        var result = new List<LeakedKey>();
        foreach (var group in sightings.Where(s => s.KeyId != null).GroupBy(s => s.KeyId!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            DateTimeOffset? first = null;
            void Seen(DateTimeOffset? d) { if (d is { } x && (first == null || x < first)) first = x; }
            foreach (var s in group)
            {
                Seen(s.Date);
                Seen(s.Introduced);
                if (s.Commit == null && s.Date == null) Seen(Appeared(s.Path));
            }
            var paths = group.Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
            var others = sightings.Where(s => paths.Contains(s.Path) && s.KeyId != group.Key && s.Role != CredentialRole.KeyId)
                .Select(s => $"{s.Rule} at {s.Path}:{s.Line}").Distinct().Order(StringComparer.Ordinal).ToList();
            result.Add(new LeakedKey(group.Key, group.Select(s => s.Account).FirstOrDefault(a => a != null),
                group.Select(s => new LeakLocation(s.Path, s.Line, s.Commit, s.Date)).DistinctBy(l => (l.Path, l.Line, l.Commit))
                    .OrderBy(l => l.Path, StringComparer.Ordinal).ThenBy(l => l.Line).ToList(),
                first,
                group.Any(s => s.Role == CredentialRole.Secret),
                group.Any(s => s.Role == CredentialRole.SessionToken),
                others));
        }
        return result;
    }

    /// <summary>The IAM facts the findings already carry (a `scan --verify` report), by key ID: what `plan --offline` plans with.</summary>
    public static Dictionary<string, KeyFacts> RecordedFacts(IEnumerable<LeakSighting> sightings)
    {
        var map = new Dictionary<string, KeyFacts>(StringComparer.Ordinal);
        foreach (var s in sightings)
            if (s.KeyId != null && s.Facts != null) map.TryAdd(s.KeyId, s.Facts);
        return map;
    }
}
