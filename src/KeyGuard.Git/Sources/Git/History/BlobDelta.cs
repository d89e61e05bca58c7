namespace KeyGuard.Sources.Git.History;

/// <summary>One hunk of a zero-context line diff: old lines [OldStart, OldStart+OldCount) became new lines [NewStart, NewStart+NewCount).</summary>
internal readonly record struct Hunk(int OldStart, int OldCount, int NewStart, int NewCount);

/// <summary>
/// How a blob differs from its predecessor at the same path, for incremental scanning: only the changed lines (with
/// a margin, see <see cref="Zones"/>) were scanned; findings elsewhere are carried over from the base blob with their
/// line numbers shifted.
/// </summary>
internal sealed class BlobDelta(int baseBlob, List<Hunk> hunks, List<(int From, int To)> zones)
{
    /// <summary>Lines either side of a change whose findings come from the rescan, not from the base: covers
    /// pairing (a key ID and its secret within five lines) and rules that look five lines around a keyword.</summary>
    public const int ZoneMargin = 6;
    /// <summary>Extra lines scanned beyond a zone so a finding at its edge still sees its whole context.</summary>
    public const int ScanMargin = 6;

    public int BaseBlob { get; } = baseBlob;
    public List<Hunk> Hunks { get; } = hunks;
    /// <summary>New-side line ranges (inclusive) where the rescan is authoritative.</summary>
    public List<(int From, int To)> Zones { get; } = zones;

    public static BlobDelta Create(int baseBlob, List<Hunk> hunks)
    {
        var zones = new List<(int From, int To)>();
        foreach (var h in hunks)
        {
            int from = Math.Max(1, h.NewStart - ZoneMargin);
            int to = h.NewStart + Math.Max(h.NewCount, 1) - 1 + ZoneMargin;
            if (zones.Count > 0 && from <= zones[^1].To + 1) zones[^1] = (zones[^1].From, Math.Max(to, zones[^1].To));
            else zones.Add((from, to));
        }
        return new BlobDelta(baseBlob, hunks, zones);
    }

    public bool InZone(int newLine)
    {
        foreach (var (from, to) in Zones) if (newLine >= from && newLine <= to) return true;
        return false;
    }

    /// <summary>The new line number of an unchanged old line, or null when the line was deleted or replaced.</summary>
    public int? MapOldLine(int oldLine)
    {
        int shift = 0;
        foreach (var h in Hunks)
        {
            if (h.OldCount > 0 && oldLine >= h.OldStart && oldLine < h.OldStart + h.OldCount) return null;
            int end = h.OldCount > 0 ? h.OldStart + h.OldCount - 1 : h.OldStart;   // a pure insertion sits after OldStart
            if (oldLine > end) shift += h.NewCount - h.OldCount;
        }
        return oldLine + shift;
    }
}
