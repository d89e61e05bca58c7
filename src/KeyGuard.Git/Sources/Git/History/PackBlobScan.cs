using System.Buffers;
using System.Diagnostics;
using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Sources.Git.Packs;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>What scanning one packed blob gave, before the walk says where the blob lives (findings carry a
/// placeholder provenance until then).</summary>
internal sealed record PackBlobResult(bool Binary, bool Lfs, long Bytes, int Suppressed, List<Finding>? Findings, long Rescanned)
{
    public bool Incremental => Rescanned >= 0;
}

/// <summary>
/// Scans every blob of the repository's packs, in pack order, on its own thread while the walk is still diffing trees:
/// full sweeps read nearly every blob anyway, and pack order is the cheap one. A blob stored as a delta of another is
/// rebuilt from it here, in process, and — when both are text — scanned only around the bytes the delta inserted
/// (<see cref="DeltaZones"/>); findings on lines the delta copied whole are carried over from the base, whose own
/// findings are complete by then (a base precedes its deltas in a pack). The rest of a large SDK model file's thousand
/// versions is never decoded. Anything unusual (a loose object, a corrupt entry, a blob over the size limit) is left
/// out, and the sweep reads it through git or libgit2 as before, which report any damage.
/// </summary>
internal sealed class PackBlobScan : IDisposable
{
    /// <summary>Rebuilt blobs kept for the deltas still to come, in bytes; beyond it the least recently used go (and
    /// are rebuilt from their chain if asked again).</summary>
    public const long CacheBytes = 96L << 20;

    /// <summary>An .idx of 4 million entries (28 bytes each, plus the fan-out table): about 180 MB of reader state.</summary>
    public const long MaxIndexBytes = 1072 + 28L * 4_000_000;

    private static readonly Provenance Pending = new("", SourceKind.Commit);
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(maxArrayLength: (int)BlobScanner.IncrementalMaxBytes, maxArraysPerBucket: 4);

    private readonly string _gitDir;
    private readonly ContentScanner _scanner;
    private readonly Thread _thread;
    private readonly Dictionary<ObjectId, PackBlobResult> _results = [];
    private Exception? _failure;

    /// <summary>Blobs scanned, delta-scanned, and the ticks the pass took (KEYGUARD_HISTORY_TIMING=1 prints them).</summary>
    public long BlobsSeen, DeltaScanned, ElapsedTicks;

    /// <summary>For the progress line: blobs in the packs read so far, their bytes rebuilt, what the pass is doing.</summary>
    public long BlobsInPacks, BytesSeen;
    public volatile string Phase = "opening packs";

    /// <summary>Threads of one pack pass (--threads; default one per core).</summary>
    private readonly int _lanes;

    private PackBlobScan(string gitDir, ContentScanner scanner, int lanes)
    {
        _gitDir = gitDir;
        _scanner = scanner;
        _lanes = lanes > 0 ? lanes : Environment.ProcessorCount;
        _thread = new Thread(Run) { IsBackground = true, Name = "keyguard pack scan" };
        _thread.Start();
    }

    public static PackBlobScan? Start(string gitDir, ContentScanner scanner, int threads = 0) =>
        !Directory.Exists(Path.Combine(gitDir, "objects", "pack")) ? null : new PackBlobScan(gitDir, scanner, threads);

    /// <summary>Waits for the pass; afterwards <see cref="TryTake"/> answers.</summary>
    public void Wait() => _thread.Join();

    /// <summary>The pass's result for a blob, if it scanned it.</summary>
    public bool TryTake(ObjectId id, out PackBlobResult result)
    {
        Wait();
        return _results.Remove(id, out result!);
    }

    /// <summary>Why the pass stopped early, if it did (the blobs it did not reach are read the usual way).</summary>
    public Exception? Failure => _failure;

    private void Run()
    {
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            foreach (var path in Directory.EnumerateFiles(Path.Combine(_gitDir, "objects", "pack"), "*.pack").Order(StringComparer.Ordinal))
            {
                // A pack this pass cannot read is left whole to the usual readers; the others are still scanned.
                try
                {
                    // The reader keeps about 45 bytes per entry of a pack (ids, offsets, types, bases); a pack of more
                    // entries than this is left to git's reader, so memory stays bounded on the largest repositories.
                    if (new FileInfo(Path.ChangeExtension(path, ".idx")).Length > MaxIndexBytes) continue;
                    Phase = "reading pack index";
                    using var pack = PackFile.Open(path);
                    if (pack != null) new PackPass(this, pack).Run();
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException) { _failure = e; }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException) { _failure = e; }   // never the process: the readers cover what is left
        finally
        {
            ElapsedTicks = Stopwatch.GetTimestamp() - t0;
            Phase = "done";
        }
    }

    /// <summary>One pack: resolve each entry's type, count the deltas waiting on each base, then rebuild and scan the
    /// blobs in order, on every core: a blob and every delta built on it (one family, by the chain's root) go to the
    /// same lane, so each lane has every base it needs and its own reader, cache and buffers; families are dealt out
    /// largest first to the least loaded lane.</summary>
    private sealed class PackPass(PackBlobScan owner, PackFile pack)
    {
        private readonly PackBlobScan _owner = owner;
        private readonly PackIndex _index = pack.Index;
        private PackType[] _types = null!;
        private int[] _bases = null!;
        private int[] _waiting = null!;

        public void Run()
        {
            int n = _index.Count;
            _owner.Phase = $"sorting {n:N0} objects";
            _types = new PackType[n];
            _bases = new int[n];
            var sizes = new long[n];
            for (int k = 0; k < n; k++)
            {
                var e = pack.Entry(k);
                _bases[k] = e.BasePosition;
                sizes[k] = e.Size;
                _types[k] = !e.IsDelta ? e.Type : e.BasePosition < 0 ? PackType.Unknown : e.BasePosition < k ? _types[e.BasePosition] : PackType.OfsDelta;
            }
            // A ref-delta may name a base stored after it: settle those once every header is known.
            for (int k = 0; k < n; k++)
                if (_types[k] == PackType.OfsDelta) _types[k] = ResolveForward(k);
            _waiting = new int[n];
            int blobs = 0;
            for (int k = 0; k < n; k++)
                if (_types[k] == PackType.Blob)
                {
                    blobs++;
                    if (_bases[k] >= 0) _waiting[_bases[k]]++;
                }
            Interlocked.Add(ref _owner.BlobsInPacks, blobs);
            _owner.Phase = "inflating and scanning";

            var lane = AssignLanes(sizes, out int lanes);
            if (lanes == 1)
            {
                new Lane(this, pack, lane, 0, CacheBytes).Run();
                return;
            }
            var readers = new PackFile?[lanes];
            var threads = new Thread[lanes - 1];
            Exception? failure = null;
            try
            {
                for (int l = 1; l < lanes; l++) readers[l] = pack.Reopen();
                for (int l = 1; l < lanes; l++)
                {
                    var worker = new Lane(this, readers[l]!, lane, l, CacheBytes / lanes);
                    threads[l - 1] = new Thread(() =>
                    {
                        try { worker.Run(); }
                        catch (Exception e) when (e is not OutOfMemoryException) { Volatile.Write(ref failure, e); }
                    }) { IsBackground = true, Name = "keyguard pack scan" };
                    threads[l - 1].Start();
                }
                new Lane(this, pack, lane, 0, CacheBytes / lanes).Run();
            }
            finally
            {
                foreach (var t in threads) t?.Join();
                foreach (var r in readers) r?.Dispose();
            }
            if (failure != null) throw failure;
        }

        private PackType ResolveForward(int k)
        {
            var chain = new List<int>();
            int at = k;
            while (_types[at] == PackType.OfsDelta && chain.Count <= _types.Length)
            {
                chain.Add(at);
                at = _bases[at];
                if (at < 0) break;
            }
            var type = at < 0 || _types[at] == PackType.OfsDelta ? PackType.Unknown : _types[at];
            foreach (var c in chain) _types[c] = type;
            return type;
        }

        /// <summary>The lane of each blob: its family's (the root of its delta chain), families dealt largest first.</summary>
        private int[] AssignLanes(long[] sizes, out int lanes)
        {
            int n = _types.Length;
            var root = new int[n];
            Array.Fill(root, -1);
            var chain = new List<int>();
            var weight = new Dictionary<int, long>();
            for (int k = 0; k < n; k++)
            {
                if (_types[k] != PackType.Blob) continue;
                chain.Clear();
                int at = k;
                while (root[at] < 0 && _bases[at] >= 0 && chain.Count <= n)
                {
                    chain.Add(at);
                    at = _bases[at];
                }
                int r = root[at] >= 0 ? root[at] : at;
                root[at] = r;
                foreach (int c in chain) root[c] = r;
                weight[r] = weight.GetValueOrDefault(r) + sizes[k];
            }
            lanes = Math.Max(1, Math.Min(_owner._lanes, weight.Count));
            var lane = new int[n];
            if (lanes == 1) return lane;
            var load = new long[lanes];
            var laneOfRoot = new Dictionary<int, int>(weight.Count);
            foreach (var (r, w) in weight.OrderByDescending(x => x.Value).ThenBy(x => x.Key))
            {
                int least = 0;
                for (int l = 1; l < lanes; l++) if (load[l] < load[least]) least = l;
                laneOfRoot[r] = least;
                load[least] += w;
            }
            for (int k = 0; k < n; k++) if (root[k] >= 0) lane[k] = laneOfRoot[root[k]];
            return lane;
        }

        /// <summary>The blobs of one lane, in pack order, with the lane's own reader, cache and buffers.</summary>
        private sealed class Lane(PackPass plan, PackFile pack, int[] lanes, int me, long cacheBytes)
        {
            private readonly PackBlobScan owner = plan._owner;
            private readonly PackIndex _index = plan._index;
            private readonly PackType[] _types = plan._types;
            private readonly int[] _bases = plan._bases;
            private readonly int[] _waiting = plan._waiting;
            private readonly Dictionary<int, BaseText> _texts = [];
            private readonly BlobCache _cache = new(cacheBytes);
            private readonly List<DeltaOp> _ops = [];
            private readonly List<Finding> _local = [];

            public void Run()
            {
                int n = _types.Length;
                for (int k = 0; k < n; k++)
                {
                    if (_types[k] != PackType.Blob || lanes[k] != me) continue;
                    try { ScanOne(k); }
                    // A damaged entry (a delta reading past its end included) is left to git's reader, which reports it.
                    catch (Exception e) when (e is InvalidDataException or IOException or RuleTimeoutException
                                                   or IndexOutOfRangeException or ArgumentOutOfRangeException) { Forget(k); }
                    finally
                    {
                        if (_bases[k] >= 0 && --_waiting[_bases[k]] == 0) Forget(_bases[k]);
                        if (_waiting[k] == 0) Forget(k);
                    }
                }
                _cache.Clear();
            }

            private void Forget(int k)
            {
                _cache.Remove(k);
                _texts.Remove(k);
            }

            private void ScanOne(int k)
            {
                _ops.Clear();
                var content = Rebuild(k, _ops, out bool fromCache);
                if (content == null) return;
                var (buffer, length) = content.Value;
                try
                {
                    var id = new ObjectId(_index.IdAt(k).ToArray());
                    var bytes = new ArraySegment<byte>(buffer, 0, length);
                    _local.Clear();
                    PackBlobResult result;
                    int baseK = _bases[k];
                    BaseText? baseText = baseK >= 0 && !fromCache ? _texts.GetValueOrDefault(baseK) : null;
                    var zones = baseText != null ? DeltaZones.TryScan(owner._scanner, bytes, baseText, _ops, Pending, _local) : null;
                    if (zones != null)
                    {
                        result = new PackBlobResult(false, false, length, zones.Value.Suppressed, Copy(_local), zones.Value.Rescanned);
                        Interlocked.Increment(ref owner.DeltaScanned);
                    }
                    else if (LfsPointer.Is(bytes)) result = new PackBlobResult(false, true, length, 0, null, -1);
                    else
                    {
                        var r = owner._scanner.ScanWhole(bytes, Pending, _local);
                        result = new PackBlobResult(r.Binary, false, r.Bytes, r.Suppressed, Copy(_local), -1);
                    }
                    lock (owner._results) owner._results.TryAdd(id, result);
                    Interlocked.Increment(ref owner.BlobsSeen);
                    Interlocked.Add(ref owner.BytesSeen, length);
                    if (_waiting[k] > 0)
                    {
                        _cache.Put(k, buffer, length);
                        content = null;   // the cache owns it now
                        if (!result.Binary && !result.Lfs && DeltaZones.Describe(bytes, result.Findings) is { } text) _texts[k] = text;
                    }
                }
                finally
                {
                    if (content != null && !_cache.Holds(k, buffer)) Buffers.Return(buffer);
                }
            }

            private static List<Finding>? Copy(List<Finding> local) => local.Count == 0 ? null : [.. local];

            /// <summary>
            /// The blob at <paramref name="k"/>: from the cache, or rebuilt from the nearest cached (or whole) object down
            /// its delta chain. The last delta's instructions go to <paramref name="ops"/>. Null when a chain member is
            /// over the size limit or outside this pack. The caller owns the buffer unless the cache holds it.
            /// </summary>
            private (byte[] Buffer, int Length)? Rebuild(int k, List<DeltaOp> ops, out bool fromCache)
            {
                fromCache = false;
                if (_cache.TryGet(k, out var hit)) { fromCache = true; return hit; }
                var chain = new List<int>();
                int at = k;
                (byte[] Buffer, int Length)? current = null;
                while (true)
                {
                    if (_cache.TryGet(at, out var cached)) { current = cached; break; }
                    if (_bases[at] < 0) break;
                    chain.Add(at);
                    at = _bases[at];
                    if (chain.Count > _types.Length) throw new InvalidDataException("delta chain loops");
                }
                bool owned = false;
                if (current == null)
                {
                    var e = pack.Entry(at);
                    if (e.IsDelta || e.Size > BlobScanner.IncrementalMaxBytes) return null;
                    var buffer = Buffers.Rent((int)Math.Max(1, e.Size));
                    owned = true;
                    try { pack.Inflate(e, buffer.AsSpan(0, (int)e.Size)); }
                    catch { Buffers.Return(buffer); throw; }
                    current = (buffer, (int)e.Size);
                }
                for (int i = chain.Count - 1; i >= 0; i--)
                {
                    var next = ApplyDelta(chain[i], current.Value, i == 0 ? ops : null);
                    if (owned)
                    {
                        // Rebuilt on the way: keep it if deltas still wait on it, else give it back.
                        if (_waiting[at] > 0 && !_cache.Holds(at, current.Value.Buffer)) _cache.Put(at, current.Value.Buffer, current.Value.Length);
                        else if (!_cache.Holds(at, current.Value.Buffer)) Buffers.Return(current.Value.Buffer);
                    }
                    if (next == null) return null;
                    current = next;
                    owned = true;
                    at = chain[i];
                }
                return current;
            }

            private (byte[] Buffer, int Length)? ApplyDelta(int k, (byte[] Buffer, int Length) baseContent, List<DeltaOp>? ops)
            {
                var e = pack.Entry(k);
                if (e.Size > BlobScanner.IncrementalMaxBytes) return null;
                var delta = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, e.Size));
                try
                {
                    var span = delta.AsSpan(0, (int)e.Size);
                    pack.Inflate(e, span);
                    var (_, targetSize) = PackDelta.Sizes(span);
                    if (targetSize > BlobScanner.IncrementalMaxBytes) return null;
                    var target = Buffers.Rent((int)Math.Max(1, targetSize));
                    try { PackDelta.Apply(baseContent.Buffer.AsSpan(0, baseContent.Length), span, target.AsSpan(0, (int)targetSize), ops); }
                    catch { Buffers.Return(target); throw; }
                    return (target, (int)targetSize);
                }
                finally { ArrayPool<byte>.Shared.Return(delta); }
            }
        }
    }

    /// <summary>Rebuilt blobs by pack position, bounded in bytes, least recently used out first.</summary>
    private sealed class BlobCache(long maxBytes)
    {
        private readonly Dictionary<int, LinkedListNode<(int K, byte[] Buffer, int Length)>> _map = [];
        private readonly LinkedList<(int K, byte[] Buffer, int Length)> _order = new();
        private long _bytes;

        public bool TryGet(int k, out (byte[] Buffer, int Length) content)
        {
            if (_map.TryGetValue(k, out var node))
            {
                _order.Remove(node);
                _order.AddLast(node);
                content = (node.Value.Buffer, node.Value.Length);
                return true;
            }
            content = default;
            return false;
        }

        public bool Holds(int k, byte[] buffer) => _map.TryGetValue(k, out var node) && ReferenceEquals(node.Value.Buffer, buffer);

        public void Put(int k, byte[] buffer, int length)
        {
            if (_map.ContainsKey(k)) return;
            _map[k] = _order.AddLast((k, buffer, length));
            _bytes += length;
            // Never the entry just added: its caller is still using it.
            while (_bytes > maxBytes && _order.First != null && _order.First.Value.K != k) Remove(_order.First.Value.K);
        }

        public void Remove(int k)
        {
            if (!_map.Remove(k, out var node)) return;
            _order.Remove(node);
            _bytes -= node.Value.Length;
            Buffers.Return(node.Value.Buffer);
        }

        public void Clear()
        {
            foreach (var k in _map.Keys.ToList()) Remove(k);
        }
    }

    public void Dispose() => Wait();
}
