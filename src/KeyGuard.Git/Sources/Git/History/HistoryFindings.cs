using KeyGuard.Findings;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// Folds per-blob and per-message hits into one finding per secret (fingerprint), carrying its life: where it was
/// introduced, every (commit, path) that added it, and its state on HEAD's line.
/// </summary>
internal sealed class HistoryFindings(HistoryIndex index, int occurrenceLimit)
{
    public const string UnreachableBlobPath = "<unreachable blob>";

    private readonly record struct Place(int Commit, string Path, int Line, Finding Finding, bool Message);

    /// <summary>Blob index to the fingerprints found in it (each blob counted once per fingerprint).</summary>
    public static Dictionary<int, List<string>> FingerprintsByBlob(IEnumerable<Hit> hits)
    {
        var map = new Dictionary<int, List<string>>();
        foreach (var h in hits.Where(h => h.Blob >= 0))
        {
            if (!map.TryGetValue(h.Blob, out var list)) map[h.Blob] = list = [];
            if (!list.Contains(h.Finding.Fingerprint)) list.Add(h.Finding.Fingerprint);
        }
        return map;
    }

    public List<Finding> Build(IEnumerable<Hit> hits, IReadOnlyDictionary<string, HeadState> head)
    {
        var results = new List<Finding>();
        foreach (var group in hits.GroupBy(h => h.Finding.Fingerprint, StringComparer.Ordinal))
        {
            var places = new List<Place>();
            // The same secret twice in one blob is one occurrence: the first line.
            foreach (var perSource in group.GroupBy(h => (h.Blob, h.MessageCommit, h.Blob < 0 ? h.Finding.Source.Path : null)))
            {
                var first = perSource.MinBy(h => (h.Finding.Line, h.Finding.Column));
                if (first.Blob >= 0)
                    foreach (var p in index.Blobs[first.Blob].Places)
                        places.Add(new Place(p.Commit, index.PathOf(p.Path), first.Finding.Line, first.Finding, false));
                else
                    places.Add(new Place(first.MessageCommit, first.Finding.Source.Path, first.Finding.Line, first.Finding, true));
            }
            // Oldest first; unreachable blobs (no commit) last.
            places.Sort((a, b) =>
            {
                int c = (a.Commit < 0 ? int.MaxValue : a.Commit).CompareTo(b.Commit < 0 ? int.MaxValue : b.Commit);
                return c != 0 ? c : string.CompareOrdinal(a.Path, b.Path);
            });
            results.Add(Describe(places, head.GetValueOrDefault(group.Key)));
        }
        return results;
    }

    private Finding Describe(List<Place> places, HeadState head)
    {
        var intro = places[0];
        var commit = intro.Commit >= 0 ? index.Commits[intro.Commit] : null;
        // A tag message is the tagger's words about the tagged commit: it keeps its own provenance.
        var source = intro.Finding.Source.Kind == SourceKind.TagMessage ? intro.Finding.Source : new Provenance(intro.Path, intro.Message ? intro.Finding.Source.Kind : SourceKind.Commit)
        {
            Commit = commit?.Sha,
            Author = commit?.Author,
            Email = commit?.Email,
            Date = commit?.Date,
            BlobId = intro.Message ? null : intro.Finding.Source.BlobId,
        };
        var finding = Rehome(intro.Finding, source);
        foreach (var p in places.Take(occurrenceLimit))
        {
            var c = p.Commit >= 0 ? index.Commits[p.Commit] : null;
            finding.Occurrences.Add(new Occurrence(p.Path, p.Line, c?.Sha, c?.Author, c?.Date));
        }
        finding.History = new FindingHistory(new Introduction(commit?.Sha, commit?.Author, commit?.Date, intro.Path, intro.Line),
            head.PresentAtHead, head.RemovedIn, places.Count);
        return finding;
    }

    /// <summary>The same finding at another place (the introducing commit and path).</summary>
    internal static Finding Rehome(Finding f, Provenance source) => Copy(f, source, f.Line);

    /// <summary>The same finding at another place and line (a later version of the file, lines shifted).</summary>
    internal static Finding Copy(Finding f, Provenance source, int line)
    {
        var copy = new Finding
        {
            RuleId = f.RuleId,
            RuleTitle = f.RuleTitle,
            Role = f.Role,
            Severity = f.Severity,
            Source = source,
            Line = line,
            Column = f.Column,
            EndColumn = f.EndColumn,
            Secret = f.Secret,
            Fingerprint = f.Fingerprint,
            KeyId = f.KeyId,
            Account = f.Account,
            KeyKind = f.KeyKind,
            Offset = f.Offset,
            Facts = f.Facts,
        };
        copy.PairedWith.AddRange(f.PairedWith);
        return copy;
    }
}
