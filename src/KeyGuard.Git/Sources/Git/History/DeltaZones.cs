using System.Buffers;
using System.Text;
using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Sources.Git.Packs;

namespace KeyGuard.Sources.Git.History;

/// <summary>A scanned text blob as a later delta of it needs it: how it was decoded, its findings, and (only when it
/// has findings) where its lines start, to carry them over.</summary>
internal sealed record BaseText(Encoding Encoding, List<Finding>? Findings, int[]? LineStarts);

/// <summary>
/// Scans a blob rebuilt from a git delta where the delta changed it, and carries its base's findings over elsewhere.
/// A line lying inside one copy instruction, away from its ends, is byte for byte a line of the base; every other line
/// (inserted bytes, an instruction's first and last line) is changed. Changed lines widened by
/// <see cref="BlobDelta.ZoneMargin"/> are zones: there the rescan (with <see cref="BlobDelta.ScanMargin"/> more lines of
/// context) is authoritative; outside them a base finding moves to its line's new number. Since a line outside a zone
/// has six unchanged lines either side in the same copy, a finding's context (pairing, keywords nearby) is the base's.
/// The same rule as the incremental scan of libgit2 reads, with git's own delta as the diff.
/// </summary>
internal static class DeltaZones
{
    /// <summary>The base's description when it can serve as one: text decoded byte for byte, no byte-order mark.</summary>
    public static BaseText? Describe(ArraySegment<byte> bytes, List<Finding>? findings)
    {
        if (!Decodable(bytes, out var encoding)) return null;
        int[]? starts = null;
        if (findings is { Count: > 0 })
        {
            var rented = LineStarts(bytes, out int lines);
            starts = rented.AsSpan(0, lines + 1).ToArray();
            ArrayPool<int>.Shared.Return(rented);
        }
        return new BaseText(encoding, findings, starts);
    }

    /// <summary>Scans <paramref name="bytes"/> (rebuilt by <paramref name="ops"/> from the base) where it changed;
    /// null when it must be scanned whole instead (binary, another encoding, or changed in over a third of its lines).</summary>
    public static (int Suppressed, long Rescanned)? TryScan(ContentScanner scanner, ArraySegment<byte> bytes, BaseText baseText,
                                                           List<DeltaOp> ops, Provenance source, List<Finding> output)
    {
        if (ops.Count == 0 || !Decodable(bytes, out var encoding) || !ReferenceEquals(encoding, baseText.Encoding)) return null;
        var starts = LineStarts(bytes, out int lineCount);
        try
        {
            var zones = Zones(ops, starts, lineCount);
            long zoneLines = zones.Sum(z => (long)(z.To - z.From + 1));
            if (zoneLines * 3 > lineCount) return null;
            int suppressed = 0;
            long rescanned = 0;
            var found = new List<Finding>();
            bool utf8 = !ReferenceEquals(encoding, Encoding.Latin1);
            foreach (var (from, to) in zones)
            {
                int first = Math.Max(1, from - BlobDelta.ScanMargin), last = Math.Min(lineCount, to + BlobDelta.ScanMargin);
                int start = starts[first - 1], end = starts[last];
                if (start >= end) continue;
                rescanned += end - start;
                var chars = ArrayPool<char>.Shared.Rent(end - start);
                try
                {
                    int n = Encoding.Latin1.GetChars(bytes.AsSpan(start, end - start), chars);
                    suppressed += scanner.Engine.Scan(chars.AsSpan(0, n), new TextPosition(start, first, start, Utf8Bytes: utf8), source, found);
                }
                finally { ArrayPool<char>.Shared.Return(chars); }
            }
            foreach (var f in found)
                if (InZone(zones, f.Line)) output.Add(f);
            if (baseText.Findings != null) Inherit(baseText, ops, starts, lineCount, zones, source, output);
            return (suppressed, rescanned);
        }
        finally { ArrayPool<int>.Shared.Return(starts); }
    }

    private static bool Decodable(ArraySegment<byte> bytes, out Encoding encoding)
    {
        var head = bytes.AsSpan(0, Math.Min(bytes.Count, ContentScanner.ChunkBytes));
        encoding = Encoding.Latin1;
        if (TextDecoder.LooksBinary(head)) return false;
        encoding = TextDecoder.Choose(head, out int bom);
        return bom == 0 && TextDecoder.ScanAsBytes(encoding);
    }

    /// <summary>Changed lines (1-based, inclusive ranges) widened by the zone margin and merged.</summary>
    private static List<(int From, int To)> Zones(List<DeltaOp> ops, int[] starts, int lineCount)
    {
        var zones = new List<(int From, int To)>();
        void Mark(int fromByte, int toByte)
        {
            int from = Math.Max(1, LineOf(starts, lineCount, fromByte) - BlobDelta.ZoneMargin);
            int to = Math.Min(lineCount, LineOf(starts, lineCount, toByte) + BlobDelta.ZoneMargin);
            if (zones.Count > 0 && from <= zones[^1].To + 1) zones[^1] = (zones[^1].From, Math.Max(to, zones[^1].To));
            else zones.Add((from, to));
        }
        // Instructions come in target order, so the marks ascend.
        foreach (var op in ops)
        {
            if (op.IsInsert) Mark(op.Target, op.Target + op.Length - 1);
            else
            {
                Mark(op.Target, op.Target);
                Mark(op.Target + op.Length - 1, op.Target + op.Length - 1);
            }
        }
        return zones;
    }

    private static void Inherit(BaseText baseText, List<DeltaOp> ops, int[] starts, int lineCount, List<(int From, int To)> zones,
                                Provenance source, List<Finding> output)
    {
        var baseStarts = baseText.LineStarts!;
        foreach (var f in baseText.Findings!)
        {
            if (f.Line < 1 || f.Line >= baseStarts.Length) continue;
            int lineStart = baseStarts[f.Line - 1], lineEnd = baseStarts[f.Line];
            foreach (var op in ops)
            {
                if (op.IsInsert || op.Source > lineStart || lineEnd > op.Source + op.Length) continue;
                int at = Array.BinarySearch(starts, 0, lineCount, op.Target + (lineStart - op.Source));
                if (at < 0 || InZone(zones, at + 1)) continue;
                output.Add(HistoryFindings.Copy(f, source, at + 1));
            }
        }
    }

    private static bool InZone(List<(int From, int To)> zones, int line)
    {
        foreach (var (from, to) in zones) if (line >= from && line <= to) return true;
        return false;
    }

    /// <summary>1-based line holding byte <paramref name="offset"/>.</summary>
    private static int LineOf(int[] starts, int lineCount, int offset)
    {
        int i = Array.BinarySearch(starts, 0, lineCount, offset);
        return (i >= 0 ? i : ~i - 1) + 1;
    }

    /// <summary>Where each line starts, plus the length: lineCount + 1 entries in a rented array.</summary>
    private static int[] LineStarts(ArraySegment<byte> bytes, out int lineCount)
    {
        var span = bytes.AsSpan();
        var starts = ArrayPool<int>.Shared.Rent(span.Count((byte)'\n') + 2);
        int n = 0, pos = 0;
        starts[n++] = 0;
        while (true)
        {
            int nl = span[pos..].IndexOf((byte)'\n');
            if (nl < 0) break;
            pos += nl + 1;
            starts[n++] = pos;
        }
        if (starts[n - 1] != span.Length) starts[n++] = span.Length;
        lineCount = n - 1;
        return starts;
    }
}
