using System.Buffers;
using System.Text;
using KeyGuard.Findings;
using KeyGuard.Sources;

namespace KeyGuard.Detection;

/// <summary>What scanning one file or blob produced besides findings.</summary>
internal readonly record struct ContentResult(bool Binary, long Bytes, int Suppressed);

/// <summary>
/// Feeds bytes to the engine: binary sniffing, decoding, and bounded chunks with overlap so a 50 MB minified line
/// or a 2 GB log never sits in memory whole. A secret cut by a chunk edge is found whole in the overlap of the
/// next chunk; findings are de-duplicated by absolute offset.
/// </summary>
internal sealed class ContentScanner(TextScanner engine)
{
    public const int ChunkBytes = 1 << 20;
    /// <summary>Characters carried into the next chunk: longer than any secret and the pairing window.</summary>
    public const int OverlapChars = 32 * 1024;

    public TextScanner Engine { get; } = engine;

    public ContentResult Scan(byte[] data, Provenance source, List<Finding> output) => ScanWhole(data, source, output);

    public ContentResult Scan(Stream stream, Provenance source, List<Finding> output)
    {
        if (stream.CanSeek && stream.Length - stream.Position <= ChunkBytes) return ScanSmall(stream, source, output);
        // Room for a chunk behind the carried overlap: the byte view below keeps both in one buffer.
        byte[] bytes = ArrayPool<byte>.Shared.Rent(ChunkBytes + OverlapChars);
        char[]? chars = null;
        try
        {
            int filled = ReadFull(stream, bytes, 0, ChunkBytes);
            var head = bytes.AsSpan(0, filled);
            if (TextDecoder.LooksBinary(head)) return new ContentResult(true, filled, 0);
            var encoding = TextDecoder.Choose(head, out int bom);
            if (TextDecoder.ScanAsBytes(encoding))
            {
                bool utf8 = !ReferenceEquals(encoding, Encoding.Latin1);
                return Parallelism > 1 && stream.CanSeek && stream.Length >= ParallelFromBytes
                    ? ScanByteViewInParallel(stream, bytes, filled, utf8, source, output)
                    : ScanByteView(stream, bytes, filled, utf8, source, output);
            }
            // Only text with a byte-order mark is left: decoded as the mark says, one character per character.
            const bool utf8Bytes = false;
            var decoder = encoding.GetDecoder();
            int skew = 0;
            chars = ArrayPool<char>.Shared.Rent(encoding.GetMaxCharCount(ChunkBytes) + OverlapChars);

            long total = filled, absOffset = 0, lineStart = 0;
            int carry = 0, line = 1, suppressed = 0;
            HashSet<(string, long)>? seen = null;
            RuleTimeoutException? timedOut = null;
            int byteStart = bom;
            while (true)
            {
                bool last = filled < ChunkBytes || stream.CanSeek && stream.Position >= stream.Length;
                int n = decoder.GetChars(bytes, byteStart, filled - byteStart, chars, carry, flush: last);
                int textLength = carry + n;
                var text = chars.AsSpan(0, textLength);
                var position = new TextPosition(absOffset, line, lineStart, utf8Bytes, skew);
                if (seen == null && last)
                {
                    suppressed += ScanChunk(text, position, source, output, null, ref timedOut);
                    break;
                }
                seen ??= [];
                var found = new List<Finding>();
                suppressed += ScanChunk(text, position, source, found, null, ref timedOut);
                AddUnseen(found, seen, output);
                if (last) break;

                // Slide: keep the tail as overlap, count what drops out.
                int keep = Math.Min(OverlapChars, textLength);
                int dropped = textLength - keep;
                Advance(chars.AsSpan(0, dropped), utf8Bytes, ref absOffset, ref line, ref lineStart, ref skew);
                Array.Copy(chars, dropped, chars, 0, keep);
                carry = keep;

                filled = ReadFull(stream, bytes, 0, ChunkBytes);
                total += filled;
                byteStart = 0;
                if (filled == 0)
                {
                    // The previous chunk ended exactly at EOF: flush the decoder and scan nothing new.
                    break;
                }
            }
            if (timedOut != null) throw timedOut;
            return new ContentResult(false, total, suppressed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            if (chars != null) ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// Chunks of text without a byte-order mark are the bytes seen one per character: the windows rules run in are
    /// found on the bytes of each chunk (with the overlap carried before it), and a chunk is decoded only when some
    /// window is left. Large logs and bundles are mostly never decoded.
    /// </summary>
    private ContentResult ScanByteView(Stream stream, byte[] bytes, int filled, bool utf8Bytes, Provenance source, List<Finding> output)
    {
        char[]? chars = null;
        try
        {
            long total = filled, absOffset = 0, lineStart = 0;
            int line = 1, suppressed = 0, skew = 0, textLength = filled;
            HashSet<(string, long)>? seen = null;
            RuleTimeoutException? timedOut = null;
            while (true)
            {
                bool last = filled < ChunkBytes || stream.CanSeek && stream.Position >= stream.Length;
                var view = bytes.AsSpan(0, textLength);
                var position = new TextPosition(absOffset, line, lineStart, utf8Bytes, skew);
                // Nothing was reported from an earlier chunk: nothing to de-duplicate against.
                if (seen == null && last)
                {
                    suppressed += SearchBytes(view, position, source, output, ref chars, ref timedOut);
                    break;
                }
                seen ??= [];
                var found = new List<Finding>();
                suppressed += SearchBytes(view, position, source, found, ref chars, ref timedOut);
                AddUnseen(found, seen, output);
                if (last) break;

                // Slide: keep the tail as overlap, count what drops out.
                int keep = Math.Min(OverlapChars, textLength);
                int dropped = textLength - keep;
                Advance(view[..dropped], utf8Bytes, ref absOffset, ref line, ref lineStart, ref skew);
                Array.Copy(bytes, dropped, bytes, 0, keep);

                filled = ReadFull(stream, bytes, keep, ChunkBytes);
                total += filled;
                // The previous chunk ended exactly at EOF: nothing new to scan.
                if (filled == 0) break;
                textLength = keep + filled;
            }
            if (timedOut != null) throw timedOut;
            return new ContentResult(false, total, suppressed);
        }
        finally
        {
            if (chars != null) ReturnChars(chars);
        }
    }

    /// <summary>
    /// How many chunks of one large file are scanned at once. A log or bundle of hundreds of megabytes was one
    /// thread's work, and the tail of a tree scan when it came last.
    /// </summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Files from this size are searched on several threads. Below it, starting the pool's threads and handing chunks
    /// over cost more than they save (measured on SDK trees, whose largest files are a few megabytes: bench/RESULTS.md).
    /// </summary>
    public const long ParallelFromBytes = 8L * ChunkBytes;

    /// <summary>
    /// <see cref="ScanByteView"/> with its chunks scanned on <see cref="Parallelism"/> threads. Reading and the
    /// position of each chunk (offset, line, where the line starts) stay in order on this thread, so lines and
    /// columns are exactly those of the one-thread scan; only the search runs alongside. Findings are merged in
    /// chunk order, with those seen again in an overlap dropped, as there.
    /// </summary>
    private ContentResult ScanByteViewInParallel(Stream stream, byte[] first, int firstFilled, bool utf8Bytes, Provenance source, List<Finding> output)
    {
        var pending = new Queue<Task<(List<Finding> Found, int Suppressed, RuleTimeoutException? TimedOut)>>();
        var seen = new HashSet<(string, long)>();
        long total = 0, absOffset = 0, lineStart = 0;
        int line = 1, suppressed = 0, skew = 0, keep = 0;
        RuleTimeoutException? timedOut = null;
        byte[]? current = null;
        void Collect(Task<(List<Finding> Found, int Suppressed, RuleTimeoutException? TimedOut)> job)
        {
            var (found, s, t) = job.GetAwaiter().GetResult();
            suppressed += s;
            timedOut ??= t;
            AddUnseen(found, seen, output);
        }
        try
        {
            // The first chunk is already read into the caller's buffer, which it returns: scan a copy.
            current = ArrayPool<byte>.Shared.Rent(ChunkBytes + OverlapChars);
            Buffer.BlockCopy(first, 0, current, 0, firstFilled);
            int filled = firstFilled;
            while (true)
            {
                int textLength = keep + filled;
                total += filled;
                bool last = filled < ChunkBytes || stream.CanSeek && stream.Position >= stream.Length;
                var position = new TextPosition(absOffset, line, lineStart, utf8Bytes, skew);
                // The next chunk starts with this one's tail: copied before this one is handed over (and may be
                // returned to the pool by the thread that scans it).
                byte[]? next = null;
                int nextKeep = 0;
                if (!last)
                {
                    nextKeep = Math.Min(OverlapChars, textLength);
                    int dropped = textLength - nextKeep;
                    Advance(current!.AsSpan(0, dropped), utf8Bytes, ref absOffset, ref line, ref lineStart, ref skew);
                    next = ArrayPool<byte>.Shared.Rent(ChunkBytes + OverlapChars);
                    Buffer.BlockCopy(current!, dropped, next, 0, nextKeep);
                }
                if (pending.Count >= Parallelism) Collect(pending.Dequeue());
                var chunk = current!;
                current = null;
                pending.Enqueue(Task.Run(() => ScanPooledChunk(chunk, textLength, position, source)));
                if (last) break;
                current = next;
                keep = nextKeep;
                filled = ReadFull(stream, current!, keep, ChunkBytes);
                // The previous chunk ended exactly at EOF: nothing new to scan.
                if (filled == 0) break;
            }
            while (pending.Count > 0) Collect(pending.Dequeue());
            if (timedOut != null) throw timedOut;
            return new ContentResult(false, total, suppressed);
        }
        finally
        {
            // After a failure, chunks still being scanned return their own buffers.
            foreach (var job in pending) job.ContinueWith(static _ => { }, TaskScheduler.Default).Wait();
            if (current != null) ArrayPool<byte>.Shared.Return(current);
        }
    }

    /// <summary>One chunk of <see cref="ScanByteViewInParallel"/>, on its own buffers, which it returns.</summary>
    private (List<Finding> Found, int Suppressed, RuleTimeoutException? TimedOut) ScanPooledChunk(byte[] bytes, int length, TextPosition position, Provenance source)
    {
        var found = new List<Finding>();
        char[]? chars = null;
        try
        {
            RuleTimeoutException? timedOut = null;
            int suppressed = SearchBytes(bytes.AsSpan(0, length), position, source, found, ref chars, ref timedOut);
            return (found, suppressed, timedOut);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            if (chars != null) ReturnChars(chars);
        }
    }

    /// <summary>
    /// One chunk seen one byte per character: the windows rules run in are found on the bytes, and only a chunk with
    /// some is decoded (into <paramref name="chars"/>, rented on first use and kept by the caller).
    /// </summary>
    private int SearchBytes(ReadOnlySpan<byte> view, TextPosition position, Provenance source, List<Finding> into, ref char[]? chars, ref RuleTimeoutException? timedOut)
    {
        if (Engine.WindowsToMatch(view) is not { } windows) return 0;
        chars ??= RentChars(ChunkBytes + OverlapChars);
        var (from, to) = AroundWindows(view, windows, ref position);
        int n = Encoding.Latin1.GetChars(view[from..to], chars);
        return ScanChunk(chars.AsSpan(0, n), position, source, into, windows, ref timedOut);
    }

    /// <summary>
    /// The whole lines around the windows found on bytes, with room for context: only they are decoded. The windows
    /// and the position move to the start of that part.
    /// </summary>
    private static (int From, int To) AroundWindows(ReadOnlySpan<byte> text, TextScanner.WindowList windows, ref TextPosition position)
    {
        var (first, last) = windows.Extent;
        int from = text[..Math.Max(0, first - OverlapChars)].LastIndexOf((byte)'\n') + 1;
        int after = text[Math.Min(text.Length, last + OverlapChars)..].IndexOf((byte)'\n');
        int to = after < 0 ? text.Length : Math.Min(text.Length, last + OverlapChars) + after + 1;
        // From a line's start: that line starts there, with no continuation byte before it.
        if (from > 0) position = position with { Offset = position.Offset + from, Line = position.Line + text[..from].Count((byte)'\n'), LineStart = position.Offset + from, Skew = 0 };
        windows.Rebase(from);
        return (from, to);
    }

    /// <summary>Adds a chunk's findings but those an earlier chunk's overlap already reported (same rule, same offset).</summary>
    private static void AddUnseen(List<Finding> found, HashSet<(string, long)> seen, List<Finding> output)
    {
        foreach (var f in found) if (seen.Add((f.RuleId, f.Offset))) output.Add(f);
    }

    /// <summary>One chunk: a user rule that times out is reported once the whole file is scanned, so the
    /// other rules' findings in later chunks are kept too.</summary>
    private int ScanChunk(ReadOnlySpan<char> text, TextPosition position, Provenance source, List<Finding> into, TextScanner.WindowList? windows, ref RuleTimeoutException? timedOut)
    {
        try { return Engine.Scan(text, position, source, into, windows); }
        catch (RuleTimeoutException e) { timedOut ??= e; return 0; }
    }

    /// <summary>
    /// Moves a chunk's position past text that drops out of it: lines counted, where the current line starts, and
    /// (for UTF-8 seen one byte per character) how many continuation bytes lie between that start and the new text.
    /// </summary>
    private static void Advance<T>(ReadOnlySpan<T> dropped, bool utf8Bytes, ref long absOffset, ref int line, ref long lineStart, ref int skew)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var newline = T.CreateTruncating('\n');
        int newlines = dropped.Count(newline);
        if (newlines > 0)
        {
            int lastNewline = dropped.LastIndexOf(newline);
            line += newlines;
            lineStart = absOffset + lastNewline + 1;
            skew = utf8Bytes ? Utf8View.Continuations(dropped[(lastNewline + 1)..]) : 0;
        }
        else if (utf8Bytes) skew += Utf8View.Continuations(dropped);
        absOffset += dropped.Length;
    }

    /// <summary>Most files fit one chunk: read them whole and decode straight into one string, no char buffer.</summary>
    private ContentResult ScanSmall(Stream stream, Provenance source, List<Finding> output)
    {
        int length = (int)(stream.Length - stream.Position);
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            int filled = ReadFull(stream, bytes, 0, length);
            return ScanBuffer(bytes.AsSpan(0, filled), source, output);
        }
        finally { ArrayPool<byte>.Shared.Return(bytes); }
    }

    /// <summary>What a first look at content in memory says: binary, nothing any rule could match, or text to scan.</summary>
    public readonly struct Screened
    {
        public bool Binary { get; init; }
        public bool Clean { get; init; }
        internal TextScanner.WindowList? Windows { get; init; }
    }

    /// <summary>
    /// Binary, or nothing to find, or the windows to scan: the caller names its source only for content that needs
    /// it (most files never do).
    /// </summary>
    public Screened Screen(ReadOnlySpan<byte> data)
    {
        if (TextDecoder.LooksBinary(data)) return new Screened { Binary = true };
        // A byte-order mark: the decoded text is searched as it is.
        if (TextDecoder.DetectBomEncoding(data, out _) is not null) return default;
        // Without one the text is the bytes seen one per character: the windows rules run in are found on the
        // bytes, once. Most files end here, before the UTF-8 validation pass and the widening.
        var windows = Engine.WindowsToMatch(data);
        return windows is null ? new Screened { Clean = true } : new Screened { Windows = windows };
    }

    /// <summary>Scans content that is wholly in memory and at most one chunk long.</summary>
    public ContentResult ScanBuffer(ReadOnlySpan<byte> data, Provenance source, List<Finding> output) =>
        ScanBuffer(data, Screen(data), source, output);

    /// <summary>Scans content already screened by <see cref="Screen"/>.</summary>
    public ContentResult ScanBuffer(ReadOnlySpan<byte> data, Screened screened, Provenance source, List<Finding> output)
    {
        if (screened.Binary) return new ContentResult(true, data.Length, 0);
        if (screened.Clean) return new ContentResult(false, data.Length, 0);
        var windows = screened.Windows;
        var encoding = TextDecoder.Choose(data, out int bom);
        bool asBytes = TextDecoder.ScanAsBytes(encoding);
        var decode = asBytes ? Encoding.Latin1 : encoding;
        var position = TextPosition.Start with { Utf8Bytes = asBytes && !ReferenceEquals(encoding, Encoding.Latin1) };
        var text = data[bom..];
        if (windows != null)
        {
            var (from, to) = AroundWindows(text, windows, ref position);
            text = text[from..to];
        }
        // A pooled buffer, not a string per file: the garbage collector was a fifth of a scan's CPU.
        char[] chars = RentChars(Math.Max(1, decode.GetMaxCharCount(text.Length)));
        try
        {
            int n = decode.GetChars(text, chars);
            return new ContentResult(false, data.Length, Engine.Scan(chars.AsSpan(0, n), position, source, output, windows));
        }
        finally { ReturnChars(chars); }
    }

    /// <summary>Characters of one chunk with its overlap: the size of this thread's decoding buffer.</summary>
    private const int ChunkChars = ChunkBytes + OverlapChars;

    /// <summary>One decoding buffer per thread, as large as any chunk's text. The shared pool, renting by size, gave
    /// each thread a buffer per size class, and every new buffer is memory the kernel has to fault in: the decoding
    /// step caused a third of a tree scan's page faults.</summary>
    [ThreadStatic] private static char[]? t_chars;

    private static char[] RentChars(int length)
    {
        if (length > ChunkChars) return ArrayPool<char>.Shared.Rent(length);
        var chars = t_chars ?? GC.AllocateUninitializedArray<char>(ChunkChars);
        t_chars = null;   // a nested scan on this thread gets a buffer of its own
        return chars;
    }

    private static void ReturnChars(char[] chars)
    {
        if (chars.Length == ChunkChars) t_chars = chars;
        else ArrayPool<char>.Shared.Return(chars);
    }

    /// <summary>
    /// Scans content already in memory, of any size: the byte gate first (most large blobs have no keyword with its
    /// base64 run nearby and are never decoded), then bounded chunks as for a stream.
    /// </summary>
    public ContentResult ScanWhole(ArraySegment<byte> data, Provenance source, List<Finding> output)
    {
        if (data.Count <= ChunkBytes) return ScanBuffer(data, source, output);
        var head = data.AsSpan(0, ChunkBytes);
        if (TextDecoder.LooksBinary(head)) return new ContentResult(true, data.Count, 0);
        if (GatedOut(data)) return new ContentResult(false, data.Count, 0);
        return Scan(new MemoryStream(data.Array!, data.Offset, data.Count, writable: false), source, output);
    }

    /// <summary>Without a byte-order mark, bytes are scanned as they are (UTF-8 or Latin-1 alike), so the engine's
    /// byte gate decides for the decoded text too: no keyword with its rule's run nearby, nothing to find.</summary>
    private bool GatedOut(ReadOnlySpan<byte> data) => TextDecoder.DetectBomEncoding(data, out _) is null && !Engine.MayMatch(data);

    private static int ReadFull(Stream s, byte[] buffer, int offset, int count)
    {
        int total = 0;
        while (total < count)
        {
            int n = s.Read(buffer, offset + total, count - total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>Scans a string already in memory (commit messages, stdin decoded by the caller).</summary>
    public ContentResult ScanText(string text, Provenance source, List<Finding> output)
    {
        if (text.Length <= ChunkBytes) return new ContentResult(false, Encoding.UTF8.GetByteCount(text), Engine.Scan(text, TextPosition.Start, source, output));
        return Scan(new MemoryStream(Encoding.UTF8.GetBytes(text)), source, output);
    }
}
