using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Sources;

namespace KeyGuard.Scanning;

/// <summary>
/// Scans files and directories (and stdin) in parallel with bounded memory: each worker holds one chunk buffer.
/// Unreadable files become <see cref="ScanError"/>s; the rest of the scan completes.
/// </summary>
public sealed class FileScan(ContentScanner scanner, WalkOptions walk, bool progress = false, int parallelism = 0)
{
    private const int FilesPerBatch = 32;

    public ScanResult Run(IReadOnlyList<string> roots, ScanResult? into = null)
    {
        var result = into ?? new ScanResult();
        var clock = Stopwatch.StartNew();
        var walker = new FileWalker(walk);
        // The walk runs on its own thread and hands files over as it finds them: walking a large tree takes a
        // third of a scan, and the scanners need not wait for it.
        // Files go over in batches: one hand-over per file cost a tenth of a scan in spinning and locking.
        using var queue = new BlockingCollection<List<WalkedFile>>(boundedCapacity: 256);
        long walked = 0;
        ExceptionDispatchInfo? walkFailure = null;
        var walking = new Thread(() =>
        {
            var batch = new List<WalkedFile>(FilesPerBatch);
            try
            {
                foreach (var root in roots)
                    walker.Walk(root, f =>
                    {
                        batch.Add(f);
                        if (batch.Count < FilesPerBatch) return;
                        Interlocked.Add(ref walked, batch.Count);
                        queue.Add(batch);
                        batch = new List<WalkedFile>(FilesPerBatch);
                    });
                Interlocked.Add(ref walked, batch.Count);
                if (batch.Count > 0) queue.Add(batch);
            }
            catch (Exception e) { walkFailure = ExceptionDispatchInfo.Capture(e); }
            finally { queue.CompleteAdding(); }
        }) { IsBackground = true, Name = "keyguard walk" };
        walking.Start();

        var stats = result.Stats;
        var gate = new object();
        using (new Progress(progress, () => $"scanned {stats.FilesScanned:N0}/{Interlocked.Read(ref walked):N0} files, {stats.BytesScanned / 1048576.0:N0} MB"))
        {
            Parallel.ForEach(Partitioner.Create(queue.GetConsumingEnumerable(), EnumerablePartitionerOptions.NoBuffering),
                new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount },
                () => new List<Finding>(),
                (batch, _, local) =>
                {
                    foreach (var file in batch) ScanOne(file, local, result, gate);
                    return local;
                },
                local => { lock (gate) result.Findings.AddRange(local); });
        }
        walking.Join();
        walkFailure?.Throw();
        result.Errors.AddRange(walker.Errors.Select(e => new ScanError(e.Path, e.Message)));
        result.SkippedSymlinks.AddRange(walker.SkippedSymlinks);
        result.Stats.SymlinksSkipped += walker.SkippedSymlinks.Count;
        result.Stats.IgnoredByGit += walker.IgnoredCount;
        stats.DurationMs += clock.ElapsedMilliseconds;
        return result;
    }

    private void ScanOne(WalkedFile file, List<Finding> local, ScanResult result, object gate)
    {
        try
        {
            // A raw handle and positional reads: FileStream's strategy objects and buffering cost more than the
            // scan itself on small files.
            using var handle = File.OpenHandle(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            long length = RandomAccess.GetLength(handle);
            ContentResult r;
            if (length <= ContentScanner.ChunkBytes)
            {
                byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Max(1, length));
                try
                {
                    int filled = 0, n;
                    while (filled < length && (n = RandomAccess.Read(handle, buffer.AsSpan(filled, (int)length - filled), filled)) > 0) filled += n;
                    r = scanner.ScanBuffer(buffer.AsSpan(0, filled), new Provenance(file.DisplayPath), local);
                }
                finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
            }
            else
            {
                using var stream = new FileStream(handle, FileAccess.Read, 0);
                r = scanner.Scan(stream, new Provenance(file.DisplayPath), local);
            }
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or RuleTimeoutException)
        {
            string message = e switch
            {
                UnauthorizedAccessException => "permission denied",
                FileNotFoundException or DirectoryNotFoundException => "vanished during the scan",
                _ => e.Message,
            };
            lock (gate) result.Errors.Add(new ScanError(file.DisplayPath, message));
        }
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
