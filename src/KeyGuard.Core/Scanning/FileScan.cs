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
            walker.Walk(roots, threads, (thread, file) =>
            {
                Interlocked.Increment(ref found);
                ScanOne(file, workers[thread] ??= new Worker(), result, gate);
            });
        }
        foreach (var w in workers) if (w != null) result.Findings.AddRange(w.Findings);
        result.Errors.AddRange(walker.Errors.Select(e => new ScanError(e.Path, e.Message)));
        result.SkippedSymlinks.AddRange(walker.SkippedSymlinks);
        result.Stats.SymlinksSkipped += walker.SkippedSymlinks.Count;
        result.Stats.IgnoredByGit += walker.IgnoredCount;
        stats.DurationMs += clock.ElapsedMilliseconds;
        return result;
    }

    private sealed class Worker
    {
        public readonly List<Finding> Findings = [];
        public readonly byte[] Buffer = GC.AllocateUninitializedArray<byte>(ContentScanner.ChunkBytes);
    }

    private void ScanOne(WalkedFile file, Worker worker, ScanResult result, object gate)
    {
        try
        {
            ContentResult r;
            switch (WholeFileReader.Read(file, worker.Buffer, out int length, out string? error))
            {
                case WholeRead.Read:
                    var data = worker.Buffer.AsSpan(0, length);
                    var screened = scanner.Screen(data);
                    r = screened.Clean
                        ? new ContentResult(false, length, 0)
                        : scanner.ScanBuffer(data, screened, new Provenance(file.DisplayPath), worker.Findings);
                    break;
                case WholeRead.TooLarge:
                    // Larger than a chunk: streamed in bounded chunks with overlap, never whole.
                    using (var stream = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0))
                        r = scanner.Scan(stream, new Provenance(file.DisplayPath), worker.Findings);
                    break;
                default:
                    lock (gate) result.Errors.Add(new ScanError(file.DisplayPath, error!));
                    return;
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
            lock (gate) result.Errors.Add(new ScanError(file.DisplayPath, WholeFileReader.Describe(e)));
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
