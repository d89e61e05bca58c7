using System.Diagnostics;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// What a history sweep's progress line says, from its first moment: the phase (selecting commits, the walk, the
/// blobs left after it, waiting for the pack pass), the walk's commits, and the pack pass's own count of blobs and
/// bytes, since on a packed repository that pass scans nearly every blob while the walk runs.
/// </summary>
internal sealed class HistoryProgress(Stopwatch clock)
{
    public volatile string Phase = "selecting commits";
    public int Walked, Commits;
    public HistoryIndex? Index;
    public BlobScanner? Blobs;
    public PackBlobScan? Packs { get; set; }

    public string Describe()
    {
        var parts = new List<string> { $"history: {Phase}" };
        if (Commits > 0) parts.Add($"{Volatile.Read(ref Walked):N0}/{Commits:N0} commits");
        long bytes = 0;
        if (Packs is { } packs)
        {
            long seen = Interlocked.Read(ref packs.BlobsSeen), total = Interlocked.Read(ref packs.BlobsInPacks);
            bytes += Interlocked.Read(ref packs.BytesSeen);
            parts.Add($"packs ({packs.Phase}): {seen:N0}/{total:N0} blobs");
        }
        if (Blobs is { } blobs)
        {
            long done = Interlocked.Read(ref blobs.BlobsScanned) + Interlocked.Read(ref blobs.BinarySkipped) + Interlocked.Read(ref blobs.LfsSkipped);
            // Placing a blob the pack pass scanned records its bytes again: counted once, by the pack pass.
            bytes += Interlocked.Read(ref blobs.BytesScanned) - Interlocked.Read(ref blobs.BytesFromPacks);
            parts.Add($"{done:N0}/{Index?.Blobs.Count ?? 0:N0} blobs placed");
        }
        double mb = bytes / 1048576.0;
        parts.Add($"{mb:N0} MB, {mb / Math.Max(0.001, clock.Elapsed.TotalSeconds):N0} MB/s");
        return string.Join(", ", parts);
    }
}
