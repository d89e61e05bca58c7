using KeyGuard.Findings;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// Completes incrementally scanned blobs: each inherits its base blob's findings on lines it did not change, with
/// line numbers shifted by the hunks. Blobs are resolved in discovery order, so a base is complete before the blobs
/// built on it (a base is always discovered first).
/// </summary>
internal sealed class DeltaInheritance(HistoryIndex index, IReadOnlyDictionary<int, BlobDelta> deltas, Func<BlobRecord, Provenance> sourceOf)
{
    public List<Hit> Resolve(IEnumerable<Hit> direct)
    {
        var byBlob = new Dictionary<int, List<Finding>>();
        foreach (var h in direct)
        {
            if (!byBlob.TryGetValue(h.Blob, out var list)) byBlob[h.Blob] = list = [];
            list.Add(h.Finding);
        }
        foreach (var (blob, delta) in deltas.OrderBy(d => d.Key))
        {
            if (!byBlob.TryGetValue(delta.BaseBlob, out var inherited)) continue;
            Provenance? source = null;
            foreach (var f in inherited)
            {
                if (delta.MapOldLine(f.Line) is not { } line || delta.InZone(line)) continue;
                source ??= sourceOf(index.Blobs[blob]);
                if (!byBlob.TryGetValue(blob, out var own)) byBlob[blob] = own = [];
                own.Add(HistoryFindings.Copy(f, source, line));
            }
        }
        return byBlob.SelectMany(kv => kv.Value.Select(f => new Hit(f, kv.Key, -1))).ToList();
    }
}
