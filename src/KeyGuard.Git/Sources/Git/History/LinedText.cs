namespace KeyGuard.Sources.Git.History;

/// <summary>
/// A blob's lines as 64-bit hashes plus byte offsets: enough to diff against a later version, at a few bytes per line,
/// so the bytes themselves need not be kept (a false match between different lines has odds of about 2^-64).
/// </summary>
internal sealed class LinedText
{
    /// <summary>Byte offset where each line starts; one more entry than lines, the last being the length.</summary>
    private readonly int[] _starts;
    private readonly ulong[] _hashes;

    public int LineCount => _hashes.Length;
    public long Footprint => _starts.Length * 4L + _hashes.Length * 8L;

    public LinedText(ReadOnlySpan<byte> bytes)
    {
        var starts = new List<int>(bytes.Length / 40 + 2) { 0 };
        int pos = 0;
        while (true)
        {
            int nl = bytes[pos..].IndexOf((byte)'\n');
            if (nl < 0) break;
            pos += nl + 1;
            starts.Add(pos);
        }
        if (starts[^1] != bytes.Length) starts.Add(bytes.Length);
        _starts = starts.ToArray();
        _hashes = new ulong[_starts.Length - 1];
        for (int i = 0; i < _hashes.Length; i++)
            _hashes[i] = System.IO.Hashing.XxHash3.HashToUInt64(bytes[_starts[i].._starts[i + 1]]);
    }

    /// <summary>Byte offset where 0-based line <paramref name="i"/> starts (the length for i = LineCount).</summary>
    public int Start(int i) => _starts[Math.Min(i, LineCount)];

    public bool SameLine(int i, LinedText other, int j) => _hashes[i] == other._hashes[j];
}

/// <summary>
/// A line diff for blobs that changed a little: walks both sides in step and, at a mismatch, searches the nearest
/// point where a few lines agree again. The result is a valid alignment (every matched line is byte-identical),
/// not necessarily the minimal one, which is all incremental scanning needs. Null when the files drift too far
/// apart to resynchronise cheaply: the caller then scans the whole blob.
/// </summary>
internal static class LineDiff
{
    public const int MaxLookahead = 400;
    private const int SyncLines = 3;

    public static List<Hunk>? Compute(LinedText old, LinedText now)
    {
        var hunks = new List<Hunk>();
        int i = 0, j = 0, n = old.LineCount, m = now.LineCount;
        while (i < n || j < m)
        {
            if (i < n && j < m && old.SameLine(i, now, j)) { i++; j++; continue; }
            if (!Resync(old, now, i, j, out int oi, out int nj)) return null;
            // Unified-diff convention: a side with no lines names the line before the gap.
            int deleted = oi - i, added = nj - j;
            hunks.Add(new Hunk(deleted > 0 ? i + 1 : i, deleted, added > 0 ? j + 1 : j, added));
            i = oi; j = nj;
        }
        return hunks;
    }

    private static bool Resync(LinedText old, LinedText now, int i, int j, out int oi, out int nj)
    {
        int n = old.LineCount, m = now.LineCount;
        for (int d = 1; d <= 2 * MaxLookahead; d++)
            for (int a = 0; a <= d; a++)
            {
                oi = i + a; nj = j + d - a;
                if (oi > n || nj > m) continue;
                if (oi == n && nj == m) return true;
                if (oi < n && nj < m && Agree(old, now, oi, nj)) return true;
            }
        oi = n; nj = m;
        return false;
    }

    private static bool Agree(LinedText old, LinedText now, int oi, int nj)
    {
        for (int k = 0; k < SyncLines; k++)
        {
            bool oldEnd = oi + k >= old.LineCount, newEnd = nj + k >= now.LineCount;
            if (oldEnd || newEnd) return oldEnd && newEnd;
            if (!old.SameLine(oi + k, now, nj + k)) return false;
        }
        return true;
    }
}

/// <summary>
/// Line hashes of recent large text blobs, so the next version of a file finds its base here instead of resolving the
/// base's delta chain again. Bounded in bytes; the oldest (smallest blob index) go first.
/// </summary>
internal sealed class LinedTextCache(long maxBytes)
{
    private readonly SortedDictionary<int, LinedText> _entries = [];
    private long _bytes;

    public LinedText? Get(int blob)
    {
        lock (_entries) return _entries.GetValueOrDefault(blob);
    }

    public void Put(int blob, LinedText text)
    {
        lock (_entries)
        {
            if (!_entries.TryAdd(blob, text)) return;
            _bytes += text.Footprint;
            while (_bytes > maxBytes && _entries.Count > 1)
            {
                var oldest = _entries.First();
                _entries.Remove(oldest.Key);
                _bytes -= oldest.Value.Footprint;
            }
        }
    }
}
