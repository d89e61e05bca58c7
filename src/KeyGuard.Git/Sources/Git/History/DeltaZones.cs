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
    /// null when it must be scanned whole instead (binary, another encoding, or changed in over a third of its lines).
    /// Line numbers come from counting newlines between the instructions' ends, which ascend: no line table of the
    /// whole blob is built, since most of a blob's versions differ in a few lines.</summary>
    public static (int Suppressed, long Rescanned)? TryScan(ContentScanner scanner, ArraySegment<byte> bytes, BaseText baseText,
                                                           List<DeltaOp> ops, Provenance source, List<Finding> output)
    {
        if (ops.Count == 0 || !Decodable(bytes, out var encoding) || !ReferenceEquals(encoding, baseText.Encoding)) return null;
        var span = bytes.AsSpan();
        // Inserting a third of the blob changes at least that much of it: scanning it whole is the cheaper way.
        long inserted = 0;
        foreach (var op in ops) if (op.IsInsert) inserted += op.Length;
        if (inserted * 3 > span.Length) return null;
        int lineCount = span.Count((byte)'\n') + (span.Length > 0 && span[^1] != '\n' ? 1 : 0);
        var zones = Zones(ops, span, lineCount);
        if (zones == null) return null;
        int suppressed = 0;
        long rescanned = 0;
        var found = new List<Finding>();
        bool utf8 = !ReferenceEquals(encoding, Encoding.Latin1);
        foreach (var zone in zones)
        {
            int first = Math.Max(1, zone.From - BlobDelta.ScanMargin), last = Math.Min(lineCount, zone.To + BlobDelta.ScanMargin);
            int start = TextLines.StartBack(span, zone.FirstMark, zone.FirstMarkLine - first);
            int end = TextLines.EndAhead(span, zone.LastMark, last - zone.LastMarkLine);
            if (start >= end) continue;
            rescanned += end - start;
            // As a whole blob is: windows found on the bytes, and only a zone with some decoded.
            if (scanner.Engine.WindowsToMatch(span[start..end]) is not { } windows) continue;
            var chars = ArrayPool<char>.Shared.Rent(end - start);
            try
            {
                int n = Encoding.Latin1.GetChars(span[start..end], chars);
                suppressed += scanner.Engine.Scan(chars.AsSpan(0, n), new TextPosition(start, first, start, Utf8Bytes: utf8), source, found, windows);
            }
            finally { ArrayPool<char>.Shared.Return(chars); }
        }
        foreach (var f in found)
            if (InZone(zones, f.Line)) output.Add(f);
        if (baseText.Findings != null) Inherit(baseText, ops, span, zones, source, output);
        return (suppressed, rescanned);
    }

    /// <summary>Changed lines widened by the zone margin and merged (1-based, inclusive), each with the byte offsets
    /// and lines of its first and last change (to find the zone's text from); null once they pass a third of the lines.</summary>
    private static List<Zone>? Zones(List<DeltaOp> ops, ReadOnlySpan<byte> span, int lineCount)
    {
        var zones = new List<Zone>();
        long zoneLines = 0;
        int cursor = 0, cursorLine = 1;
        int LineAt(ReadOnlySpan<byte> text, int offset)
        {
            cursorLine += text[cursor..offset].Count((byte)'\n');
            cursor = offset;
            return cursorLine;
        }
        // Instructions come in target order, so the marks ascend and the line count only moves forward.
        foreach (var op in ops)
        {
            int a = op.Target, b = op.Target + op.Length - 1;
            if (op.IsInsert) { if (!Mark(a, b, span)) return null; }
            else if (!Mark(a, a, span) || !Mark(b, b, span)) return null;
        }
        return zones;

        bool Mark(int fromByte, int toByte, ReadOnlySpan<byte> text)
        {
            int fromLine = LineAt(text, fromByte), toLine = LineAt(text, toByte);
            int from = Math.Max(1, fromLine - BlobDelta.ZoneMargin), to = Math.Min(lineCount, toLine + BlobDelta.ZoneMargin);
            if (zones.Count > 0 && from <= zones[^1].To + 1)
            {
                var last = zones[^1];
                if (to > last.To) zoneLines += to - last.To;
                zones[^1] = last with { To = Math.Max(to, last.To), LastMark = toByte, LastMarkLine = toLine };
            }
            else
            {
                zones.Add(new Zone(from, to, fromByte, fromLine, toByte, toLine));
                zoneLines += to - from + 1;
            }
            return zoneLines * 3 <= lineCount;
        }
    }

    private readonly record struct Zone(int From, int To, int FirstMark, int FirstMarkLine, int LastMark, int LastMarkLine);

    private static void Inherit(BaseText baseText, List<DeltaOp> ops, ReadOnlySpan<byte> span, List<Zone> zones,
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
                int at = op.Target + (lineStart - op.Source);
                // Copied from the middle of a line: the line it lands in changed, and the rescan covers it.
                if (at > 0 && span[at - 1] != '\n') continue;
                int line = span[..at].Count((byte)'\n') + 1;
                if (InZone(zones, line)) continue;
                output.Add(HistoryFindings.Copy(f, source, line));
            }
        }
    }

    private static bool InZone(List<Zone> zones, int line)
    {
        foreach (var z in zones) if (line >= z.From && line <= z.To) return true;
        return false;
    }

    private static bool Decodable(ArraySegment<byte> bytes, out Encoding encoding)
    {
        var head = bytes.AsSpan(0, Math.Min(bytes.Count, ContentScanner.ChunkBytes));
        encoding = Encoding.Latin1;
        if (TextDecoder.LooksBinary(head)) return false;
        encoding = TextDecoder.Choose(head, out int bom);
        return bom == 0 && TextDecoder.ScanAsBytes(encoding);
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
