using System.Collections.Concurrent;
using KeyGuard.Detection;
using KeyGuard.Findings;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>A distinct blob to scan, with the provenance of the first place that added it.</summary>
internal readonly record struct BlobWork(BlobRecord Blob, Provenance Source);

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
    private readonly Task[] _workers;
    private readonly object _gate = new();

    public List<Hit> Hits { get; } = [];
    public List<(string Where, string Message)> Errors { get; } = [];
    public List<string> BinaryBlobs { get; } = [];
    public long BlobsScanned, BytesScanned, BinarySkipped, LfsSkipped, SuppressedInline;

    public BlobScanner(ContentScanner scanner, string gitDir, int threads)
    {
        _scanner = scanner;
        _gitDir = gitDir;
        int n = threads > 0 ? threads : Environment.ProcessorCount;
        _workers = Enumerable.Range(0, n).Select(_ => Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning)).ToArray();
    }

    public void Add(BlobWork work) => _queue.Add(work);

    /// <summary>No more blobs: waits for the workers to drain the queue.</summary>
    public void Complete()
    {
        _queue.CompleteAdding();
        Task.WaitAll(_workers);
    }

    private void Work()
    {
        using var repo = new Repository(_gitDir);
        var local = new List<Finding>();
        byte[] small = new byte[LfsPointer.MaxSize];
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            local.Clear();
            try
            {
                ScanOne(repo, work, local, small);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                lock (_gate) Errors.Add((Where(work), $"blob {work.Blob.Id.Sha}: {e.Message.Trim()}"));
                continue;
            }
            if (local.Count > 0)
                lock (_gate) foreach (var f in local) Hits.Add(new Hit(f, work.Blob.Index, -1));
        }
    }

    private void ScanOne(Repository repo, BlobWork work, List<Finding> local, byte[] small)
    {
        var blob = repo.Lookup<Blob>(work.Blob.Id)
                   ?? throw new LibGit2SharpException("object missing from the object database");
        ContentResult result;
        using (var stream = blob.GetContentStream())
        {
            if (blob.Size < LfsPointer.MaxSize)
            {
                int n = stream.ReadAtLeast(small, small.Length, throwOnEndOfStream: false);
                if (LfsPointer.Is(small.AsSpan(0, n))) { Interlocked.Increment(ref LfsSkipped); return; }
                result = _scanner.Scan(new MemoryStream(small, 0, n, writable: false), work.Source, local);
            }
            else result = _scanner.Scan(stream, work.Source, local);
        }
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

    private static string Where(BlobWork work) =>
        work.Source.Commit != null ? $"{work.Source.Commit[..12]}:{work.Source.Path}" : work.Source.Path;

    public void Dispose() => _queue.Dispose();
}
