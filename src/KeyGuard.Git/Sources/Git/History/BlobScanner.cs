using System.Collections.Concurrent;
using KeyGuard.Detection;
using KeyGuard.Findings;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// A distinct blob to scan, with the provenance of the first place that added it, and the blob it replaced at that
/// path (if known), against which a large text blob is scanned incrementally.
/// </summary>
internal readonly record struct BlobWork(BlobRecord Blob, Provenance Source, int BaseBlob = -1, ObjectId? BaseId = null);

/// <summary>A finding in a blob (by blob index) or in a commit message (blob index -1, with the commit's index).</summary>
internal readonly record struct Hit(Finding Finding, int Blob, int MessageCommit);

/// <summary>
/// Worker threads that read blobs and scan them while the walker is still producing. Each worker opens its own
/// <see cref="Repository"/>: libgit2 objects are safe across threads only when each thread has its own handle.
/// Only one blob per worker is in memory at a time.
/// </summary>
internal sealed class BlobScanner : IDisposable
{
    private readonly ContentScanner _scanner;
    private readonly string _gitDir;
    private readonly BlockingCollection<BlobWork> _queue = new(boundedCapacity: 4096);
    private Task[]? _workers;
    private readonly object _gate = new();
    private readonly BlockingCollection<LoadedBlob> _loaded = new(boundedCapacity: 1024);
    private CatFileBlobs? _catFile;
    private readonly int _threads;
    private readonly bool _useGit;

    public List<Hit> Hits { get; } = [];
    public List<(string Where, string Message)> Errors { get; } = [];
    /// <summary>Blobs that could not be read or scanned (each has its entry in <see cref="Errors"/>).</summary>
    public HashSet<ObjectId> FailedBlobs { get; } = [];
    public List<string> BinaryBlobs { get; } = [];
    /// <summary>Blobs scanned incrementally against their predecessor, by blob index.</summary>
    public ConcurrentDictionary<int, BlobDelta> Deltas { get; } = new();
    /// <summary>Ticks spent per phase across workers (KEYGUARD_HISTORY_TIMING=1 prints them), for tuning.</summary>
    public long ReadTicks, DiffTicks, ScanTicks;
    public long BlobsScanned, BytesScanned, BinarySkipped, LfsSkipped, SuppressedInline, IncrementalBlobs, BytesRescanned;
    /// <summary>Of <see cref="BytesScanned"/>, the bytes the pack pass had scanned (its own progress counted them).</summary>
    public long BytesFromPacks;

    /// <summary>Below this size a full scan is as cheap as a diff.</summary>
    public const long IncrementalMinBytes = 128 * 1024;
    /// <summary>Above this size the blob is streamed in chunks instead of decoded whole.</summary>
    public const long IncrementalMaxBytes = 64L * 1024 * 1024;

    /// <summary>Large blobs scanned against their previous version (blobs come in walk order); else every blob whole.
    /// Settable until the first blob is added: a sweep learns after its walk whether git can give pack order.</summary>
    public bool Incremental { get => _incremental; set => _incremental = value; }
    private bool _incremental;

    public BlobScanner(ContentScanner scanner, string gitDir, int threads, bool incremental = true, bool useGit = true)
    {
        _incremental = incremental;
        _scanner = scanner;
        _gitDir = gitDir;
        _threads = threads > 0 ? threads : Environment.ProcessorCount;
        _useGit = useGit;
    }

    /// <summary>git's reader and the workers start with the first blob: a sweep with nothing new to read (an incremental
    /// rerun, a pack pass that took every blob) starts neither.</summary>
    private Task[] StartWorkers()
    {
        _catFile = _useGit ? CatFileBlobs.TryStart(_gitDir, _queue, _loaded, IncrementalMaxBytes) : null;
        Action work = _catFile != null ? WorkLoaded : Work;
        return Enumerable.Range(0, _threads).Select(_ => Task.Factory.StartNew(work, TaskCreationOptions.LongRunning)).ToArray();
    }

    /// <summary>Whether git reads the blobs (else libgit2 does, in the workers).</summary>
    public bool ReadByGit => _catFile != null;
    public long GitFallbacks => _catFile?.Fallbacks ?? 0;

    public void Add(BlobWork work)
    {
        _workers ??= StartWorkers();
        _queue.Add(work);
    }

    /// <summary>No more blobs: waits for the workers to drain the queue.</summary>
    public void Complete()
    {
        if (_completed) return;
        _completed = true;
        _queue.CompleteAdding();
        try { if (_workers != null) Task.WaitAll(_workers); }
        finally { _catFile?.Dispose(); }
    }

    private bool _completed;

    /// <summary>Scans blobs git has read; reads through libgit2 those it could not.</summary>
    private void WorkLoaded()
    {
        using var repo = new Repository(_gitDir);
        var local = new List<Finding>();
        byte[] small = new byte[LfsPointer.MaxSize];
        foreach (var item in _loaded.GetConsumingEnumerable())
        {
            try
            {
                Guarded(item.Work, local, () =>
                {
                    if (item.ReadByWorker) { ScanOne(repo, item.Work, local, small); return; }
                    long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                    try { ScanBytes(repo, item.Work, new ArraySegment<byte>(item.Buffer!, 0, item.Length), local); }
                    finally { Interlocked.Add(ref ScanTicks, System.Diagnostics.Stopwatch.GetTimestamp() - t0); }
                });
            }
            finally
            {
                if (item.Buffer != null) _catFile!.Release(item.Buffer, item.Length);
            }
        }
    }

    /// <summary>Runs one blob's scan: its findings become hits, a failure becomes an error naming commit and path.</summary>
    private void Guarded(BlobWork work, List<Finding> local, Action scan)
    {
        local.Clear();
        try { scan(); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lock (_gate)
            {
                Errors.Add((Where(work), $"blob {work.Blob.Id.Sha}: {e.Message.Trim()}"));
                FailedBlobs.Add(work.Blob.Id);
            }
            return;
        }
        if (local.Count > 0)
            lock (_gate) foreach (var f in local) Hits.Add(new Hit(f, work.Blob.Index, -1));
    }

    private void ScanBytes(Repository repo, BlobWork work, ArraySegment<byte> bytes, List<Finding> local)
    {
        ContentResult result;
        if (bytes.Count >= IncrementalMinBytes && _incremental) result = ScanLarge(repo, work, bytes, local);
        else if (LfsPointer.Is(bytes)) { Interlocked.Increment(ref LfsSkipped); return; }
        else result = FullScan(bytes, work, local);
        Record(work, result);
    }

    /// <summary>Takes the pack pass's scan of a blob, now that the walk has placed it.</summary>
    public void Record(BlobWork work, PackBlobResult scanned)
    {
        if (scanned.Lfs) { Interlocked.Increment(ref LfsSkipped); return; }
        if (scanned.Findings != null)
            lock (_gate) foreach (var f in scanned.Findings) Hits.Add(new Hit(HistoryFindings.Rehome(f, work.Source), work.Blob.Index, -1));
        Interlocked.Add(ref BytesFromPacks, scanned.Bytes);
        if (scanned.Incremental)
        {
            Interlocked.Increment(ref IncrementalBlobs);
            Interlocked.Add(ref BytesRescanned, scanned.Rescanned);
        }
        Record(work, new ContentResult(scanned.Binary, scanned.Bytes, scanned.Suppressed));
    }

    private void Record(BlobWork work, ContentResult result)
    {
        Interlocked.Add(ref BytesScanned, result.Bytes);
        if (result.Binary)
        {
            Interlocked.Increment(ref BinarySkipped);
            lock (_gate) BinaryBlobs.Add(Where(work));
            return;
        }
        Interlocked.Increment(ref BlobsScanned);
        Interlocked.Add(ref SuppressedInline, result.Suppressed);
    }

    private void Work()
    {
        using var repo = new Repository(_gitDir);
        var local = new List<Finding>();
        byte[] small = new byte[LfsPointer.MaxSize];
        foreach (var work in _queue.GetConsumingEnumerable())
            Guarded(work, local, () => ScanOne(repo, work, local, small));
    }

    private void ScanOne(Repository repo, BlobWork work, List<Finding> local, byte[] small)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        using var stream = BlobReader.Open(repo, work.Blob.Id);
        long size = stream.Length;
        Interlocked.Add(ref ReadTicks, System.Diagnostics.Stopwatch.GetTimestamp() - t0);
        t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        try { ScanLoaded(repo, work, stream, size, local, small); }
        finally { Interlocked.Add(ref ScanTicks, System.Diagnostics.Stopwatch.GetTimestamp() - t0); }
    }

    private void ScanLoaded(Repository repo, BlobWork work, Stream stream, long size, List<Finding> local, byte[] small)
    {
        ContentResult result;
        if (size >= IncrementalMinBytes && size <= IncrementalMaxBytes)
            result = ScanLarge(repo, work, stream, (int)size, local);
        else if (size < LfsPointer.MaxSize)
        {
            int n = stream.ReadAtLeast(small, small.Length, throwOnEndOfStream: false);
            if (LfsPointer.Is(small.AsSpan(0, n))) { Interlocked.Increment(ref LfsSkipped); return; }
            result = _scanner.Scan(new MemoryStream(small, 0, n, writable: false), work.Source, local);
        }
        else result = _scanner.Scan(stream, work.Source, local);
        Record(work, result);
    }

    private readonly LinedTextCache _recent = new(32L * 1024 * 1024);

    /// <summary>
    /// Scans only the lines that changed since the base blob (plus margins); findings on unchanged lines are carried
    /// over from the base when the sweep resolves (<see cref="DeltaInheritance"/>). Falls back to a full scan of the
    /// bytes already read for binary or UTF-16 content, an unreadable base, or a rewrite touching much of the file.
    /// </summary>
    private ContentResult ScanLarge(Repository repo, BlobWork work, Stream stream, int length, List<Finding> local)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            stream.ReadExactly(rented, 0, length);
            return ScanLarge(repo, work, new ArraySegment<byte>(rented, 0, length), local);
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(rented); }
    }

    private ContentResult ScanLarge(Repository repo, BlobWork work, ArraySegment<byte> bytes, List<Finding> local)
    {
        var head = bytes.AsSpan(0, Math.Min(bytes.Count, ContentScanner.ChunkBytes));
        if (TextDecoder.LooksBinary(head) || TextDecoder.DetectBomEncoding(head, out _) is System.Text.UnicodeEncoding or System.Text.UTF32Encoding)
            return FullScan(bytes, work, local);
        var now = new LinedText(bytes);
        _recent.Put(work.Blob.Index, now);
        // The first version of a file is scanned whole, and cached for the next version to diff against.
        var old = work.BaseId == null ? null : _recent.Get(work.BaseBlob) ?? ReadBase(repo, work.BaseId);
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        var hunks = old != null ? LineDiff.Compute(old, now) : null;
        Interlocked.Add(ref DiffTicks, System.Diagnostics.Stopwatch.GetTimestamp() - t0);
        if (hunks == null || hunks.Count == 0) return FullScan(bytes, work, local);
        var delta = BlobDelta.Create(work.BaseBlob, hunks);
        long zoneLines = delta.Zones.Sum(z => (long)(z.To - z.From + 1));
        if (zoneLines * 3 > now.LineCount) return FullScan(bytes, work, local);

        var encoding = TextDecoder.Choose(head, out int bom);
        var windows = new List<Finding>();
        long rescanned = 0;
        int suppressed = 0;
        foreach (var (from, to) in delta.Zones)
        {
            int first = Math.Max(1, from - BlobDelta.ScanMargin);
            int start = Math.Max(now.Start(first - 1), first == 1 ? bom : 0);
            int end = now.Start(to + BlobDelta.ScanMargin);
            if (start >= end) continue;
            rescanned += end - start;
            var text = encoding.GetString(bytes.Array!, start, end - start);
            suppressed += _scanner.Engine.Scan(text, new TextPosition(start, first, start), work.Source, windows);
        }
        // Only the zones are authoritative: a finding in the scan margin belongs to the base and is carried over.
        foreach (var f in windows) if (delta.InZone(f.Line)) local.Add(f);
        Deltas[work.Blob.Index] = delta;
        Interlocked.Increment(ref IncrementalBlobs);
        Interlocked.Add(ref BytesRescanned, rescanned);
        return new ContentResult(false, bytes.Count, suppressed);
    }

    private ContentResult FullScan(ArraySegment<byte> bytes, BlobWork work, List<Finding> local) =>
        _scanner.ScanWhole(bytes, work.Source, local);

    private static LinedText? ReadBase(Repository repo, ObjectId id)
    {
        try
        {
            using var stream = BlobReader.Open(repo, id);
            if (stream.Length > IncrementalMaxBytes) return null;
            int length = (int)stream.Length;
            var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
            try
            {
                stream.ReadExactly(rented, 0, length);
                return new LinedText(rented.AsSpan(0, length));
            }
            finally { System.Buffers.ArrayPool<byte>.Shared.Return(rented); }
        }
        catch (LibGit2SharpException) { return null; }   // a corrupt base: the new blob is scanned whole
    }

    private static string Where(BlobWork work) =>
        work.Source.Commit != null ? $"{work.Source.Commit[..12]}:{work.Source.Path}" : work.Source.Path;

    /// <summary>Also after a failed walk: the reader threads and workers are drained before their queues go.</summary>
    public void Dispose()
    {
        try { Complete(); }
        catch (AggregateException) { }   // the walk's own exception is the one that matters
        _queue.Dispose();
        _loaded.Dispose();
    }
}

/// <summary>Finds line spans in a text for ascending requests without rescanning from the start each time.</summary>
internal sealed class LineCursor(string text)
{
    private int _line = 1, _pos;

    /// <summary>Character span of lines [from, to] (1-based, inclusive, clamped to the text) and its first line number.</summary>
    public (int Start, int FirstLine, int End) Span(int from, int to)
    {
        while (_line < from)
        {
            int nl = text.IndexOf('\n', _pos);
            if (nl < 0) return (text.Length, _line, text.Length);
            _pos = nl + 1; _line++;
        }
        int line = _line, pos = _pos;
        while (line <= to)
        {
            int nl = text.IndexOf('\n', pos);
            if (nl < 0) { pos = text.Length; break; }
            pos = nl + 1; line++;
        }
        return (_pos, _line, pos);
    }
}
