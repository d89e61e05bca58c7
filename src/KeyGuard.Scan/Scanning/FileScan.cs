using System.Diagnostics;
using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Sources;

namespace KeyGuard.Scanning;

/// <summary>
/// Scans files and directories (and stdin) in parallel with bounded memory: each worker holds one chunk buffer
/// and, where io_uring serves, 32 read slots (<see cref="BatchFileReader"/>).
/// Unreadable files become <see cref="ScanError"/>s; the rest of the scan completes.
/// </summary>
internal sealed class FileScan(ContentScanner scanner, WalkOptions walk, bool progress = false, int parallelism = 0)
{
    public ScanResult Run(IReadOnlyList<string> roots, ScanResult? into = null)
    {
        var result = into ?? new ScanResult();
        var clock = Stopwatch.StartNew();
        var walker = new FileWalker(walk);
        int threads = parallelism > 0 ? parallelism : Environment.ProcessorCount;
        // One buffer and one findings list per thread: no pool, no lock on the way.
        var workers = new Worker[threads];
        var stats = result.Stats;
        var gate = new object();
        long found = 0;
        using (new Progress(progress, () => $"scanned {stats.FilesScanned:N0}/{Interlocked.Read(ref found):N0} files, {stats.BytesScanned / 1048576.0:N0} MB"))
        {
            try
            {
                walker.WalkBatches(roots, threads, (thread, files) =>
                {
                    Interlocked.Add(ref found, files.Count);
                    ScanBatch(files, workers[thread] ??= new Worker(), result, gate);
                });
            }
            finally { foreach (var w in workers) w?.Batches?.Dispose(); }
        }
        foreach (var w in workers) if (w != null) result.Findings.AddRange(w.Findings);
        result.Errors.AddRange(walker.Errors.Select(e => new ScanError(e.Path, e.Message)));
        result.SkippedSymlinks.AddRange(walker.SkippedSymlinks);
        result.Stats.SymlinksSkipped += walker.SkippedSymlinks.Count;
        result.Stats.SpecialFilesSkipped += walker.SkippedSpecial.Count;
        result.Stats.IgnoredByGit += walker.IgnoredCount;
        stats.DurationMs += clock.ElapsedMilliseconds;
        return result;
    }

    private sealed class Worker
    {
        public readonly List<Finding> Findings = [];
        public readonly byte[] Buffer = GC.AllocateUninitializedArray<byte>(ContentScanner.ChunkBytes);
        /// <summary>This thread's io_uring reader; null where unavailable.</summary>
        public readonly BatchFileReader? Batches = BatchFileReader.TryCreate();
        public readonly string[] Names = new string[BatchFileReader.Slots];
        public readonly BatchRead[] Reads = new BatchRead[BatchFileReader.Slots];
    }

    /// <summary>A directory's files: read in batches where io_uring serves, else one by one.</summary>
    private void ScanBatch(List<WalkedFile> files, Worker worker, ScanResult result, object gate)
    {
        int done = 0;
        var directory = files[0].Directory;
        if (worker.Batches != null && directory is { Fd: >= 0 } && files[0].Name != null)
        {
            while (done < files.Count)
            {
                int n = Math.Min(BatchFileReader.Slots, files.Count - done);
                for (int i = 0; i < n; i++) worker.Names[i] = files[done + i].Name!;
                if (!worker.Batches.Read(directory.Fd, worker.Names.AsSpan(0, n), worker.Reads)) break;
                for (int i = 0; i < n; i++)
                {
                    var file = files[done + i];
                    var read = worker.Reads[i];
                    if (read.TooLarge) ScanOne(file, worker, result, gate);
                    else if (read.Errno != 0) lock (gate) result.Errors.Add(new ScanError(file.DisplayPath, WholeFileReader.Describe(read.Errno)));
                    else Scan(file, worker.Batches.Data(i, read.Length), worker, result, gate);
                }
                done += n;
            }
        }
        for (; done < files.Count; done++) ScanOne(files[done], worker, result, gate);
    }

    private void ScanOne(WalkedFile file, Worker worker, ScanResult result, object gate)
    {
        try
        {
            ContentResult r;
            switch (WholeFileReader.Read(file, worker.Buffer, out int length, out string? error))
            {
                case WholeRead.Read:
                    Scan(file, worker.Buffer.AsSpan(0, length), worker, result, gate);
                    return;
                case WholeRead.TooLarge:
                    // Larger than a chunk: streamed in bounded chunks with overlap, never whole.
                    using (var stream = WholeFileReader.OpenStream(file))
                        r = scanner.Scan(stream, file.Provenance(), worker.Findings);
                    break;
                default:
                    lock (gate) result.Errors.Add(new ScanError(file.DisplayPath, error!));
                    return;
            }
            Count(file, r, result, gate);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or RuleTimeoutException)
        {
            lock (gate) result.Errors.Add(new ScanError(file.DisplayPath, WholeFileReader.Describe(e)));
        }
    }

    /// <summary>Scans a file read whole; it is named only if the screen lets it through.</summary>
    private void Scan(WalkedFile file, ReadOnlySpan<byte> data, Worker worker, ScanResult result, object gate)
    {
        try
        {
            var screened = scanner.Screen(data);
            var r = screened.Clean
                ? new ContentResult(false, data.Length, 0)
                : scanner.ScanBuffer(data, screened, file.Provenance(), worker.Findings);
            Count(file, r, result, gate);
        }
        catch (RuleTimeoutException e)
        {
            lock (gate) result.Errors.Add(new ScanError(file.DisplayPath, WholeFileReader.Describe(e)));
        }
    }

    private static void Count(WalkedFile file, ContentResult r, ScanResult result, object gate)
    {
        Interlocked.Add(ref result.Stats.BytesScanned, r.Bytes);
        if (r.Binary)
        {
            Interlocked.Increment(ref result.Stats.BinarySkipped);
            lock (gate) result.BinaryFiles.Add(file.DisplayPath);
            return;
        }
        Interlocked.Increment(ref result.Stats.FilesScanned);
        Interlocked.Add(ref result.Stats.SuppressedInline, r.Suppressed);
    }

    public ScanResult RunStdin(Stream input, string name, ScanResult? into = null)
    {
        var result = into ?? new ScanResult();
        var clock = Stopwatch.StartNew();
        var r = scanner.Scan(input, new Provenance(name, SourceKind.Stdin), result.Findings);
        result.Stats.BytesScanned += r.Bytes;
        if (r.Binary) { result.Stats.BinarySkipped++; result.BinaryFiles.Add(name); }
        else result.Stats.FilesScanned++;
        result.Stats.SuppressedInline += r.Suppressed;
        result.Stats.DurationMs += clock.ElapsedMilliseconds;
        return result;
    }
}
