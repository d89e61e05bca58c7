using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>A blob's content read ahead for a worker, or a note that the worker must read it itself.</summary>
internal readonly record struct LoadedBlob(BlobWork Work, byte[]? Buffer, int Length)
{
    public bool ReadByWorker => Buffer == null;
}

/// <summary>
/// Reads blobs through one <c>git cat-file --batch</c> process, in the order the walk finds them, while workers scan.
/// git keeps recently rebuilt delta bases (96 MB by default, large ones included); libgit2 caches no base over 1 MB,
/// so each version of a 4 MB generated file was rebuilt from the head of its delta chain: reading was two thirds of
/// a sweep. A writer thread sends object ids ahead; a reader thread parses the answers. Anything unusual — a missing
/// or corrupt object, git exiting, a blob too large to hold — is handed to the worker to read through libgit2, which
/// reports it as it always did.
/// </summary>
internal sealed class CatFileBlobs : IDisposable
{
    private readonly Process _git;
    private readonly Stream _stdin, _stdout;
    private readonly BlockingCollection<BlobWork> _pending = new(boundedCapacity: 4096);
    private readonly Thread _writer, _reader;
    private volatile bool _broken;
    private readonly byte[] _line = new byte[256];
    private readonly long _maxBytes;

    /// <summary>
    /// git's cache of rebuilt delta bases. Sweeps normally ask in pack order, where the default would do (1.5 s for
    /// the blobs of a repacked 20,000-commit history); the cache matters for walk order, the fallback when git cannot
    /// list its pack order: 9.0 s at git's 96 MB default (bases of eight 4 MB files evicting each other along 50-deep
    /// chains), 5.4 s at 128 MB (git's peak 235 MB), 3.1 s at 256 MB (350 MB). 128 MB keeps KeyGuard and its git
    /// helpers together under 500 MB either way.
    /// </summary>
    public const int DeltaBaseCacheMegabytes = 128;

    /// <summary>Starts git; null when it is not installed (or KEYGUARD_GIT=libgit2) or does not start.</summary>
    public static CatFileBlobs? TryStart(string gitDir, BlockingCollection<BlobWork> requests, BlockingCollection<LoadedBlob> loaded, long maxBytes)
    {
        if (!GitHelper.Available) return null;
        try { return new CatFileBlobs(gitDir, requests, loaded, maxBytes); }
        catch (Exception e) when (GitHelper.StartFailed(e)) { return null; }
    }

    private CatFileBlobs(string gitDir, BlockingCollection<BlobWork> requests, BlockingCollection<LoadedBlob> loaded, long maxBytes)
    {
        _maxBytes = maxBytes;
        _git = GitHelper.Start(gitDir, withStdin: true,
            "-c", $"core.deltaBaseCacheLimit={DeltaBaseCacheMegabytes}m", "cat-file", "--batch", "--buffer");
        _stdin = new BufferedStream(_git.StandardInput.BaseStream, 64 * 1024);
        _stdout = new BufferedStream(_git.StandardOutput.BaseStream, 1 << 20);
        _writer = new Thread(() => Write(requests)) { IsBackground = true, Name = "keyguard cat-file writer" };
        _reader = new Thread(() => Read(loaded)) { IsBackground = true, Name = "keyguard cat-file reader" };
        _writer.Start();
        _reader.Start();
    }

    /// <summary>Blobs handed to workers because git could not give them (for tests and timing).</summary>
    public long Fallbacks;

    private void Write(BlockingCollection<BlobWork> requests)
    {
        Span<byte> line = stackalloc byte[GitObjectIdHexLength + 1];
        try
        {
            while (true)
            {
                // Flush only when the walk has nothing more right now: git works while the walk diffs trees.
                if (!requests.TryTake(out var work))
                {
                    Flush();
                    if (!requests.TryTake(out work, Timeout.Infinite)) break;
                }
                if (!_broken)
                {
                    Encoding.ASCII.GetBytes(work.Blob.Id.Sha, line);
                    line[^1] = (byte)'\n';
                    try { _stdin.Write(line); }
                    catch (IOException) { _broken = true; }
                }
                // Never wait for room with requests still in our buffer: the reader may be waiting for their answers.
                if (!_pending.TryAdd(work)) { Flush(); _pending.Add(work); }
                // Keep git fed: when few requests are outstanding, send what is buffered now.
                if (_pending.Count < 64 || ++_sinceFlush >= 256) { Flush(); _sinceFlush = 0; }
            }
            Flush();
        }
        finally
        {
            _pending.CompleteAdding();
            try { _stdin.Dispose(); } catch (IOException) { _broken = true; }
        }
    }

    private const int GitObjectIdHexLength = 40;
    private int _sinceFlush;

    private void Flush()
    {
        if (_broken) return;
        try { _stdin.Flush(); } catch (IOException) { _broken = true; }
    }

    private void Read(BlockingCollection<LoadedBlob> loaded)
    {
        try
        {
            foreach (var work in _pending.GetConsumingEnumerable())
            {
                var blob = _broken ? default : ReadOne(work);
                if (blob.Buffer == null) { Interlocked.Increment(ref Fallbacks); blob = new LoadedBlob(work, null, 0); }
                loaded.Add(blob);
            }
        }
        finally { loaded.CompleteAdding(); }
    }

    /// <summary>One answer: "&lt;id&gt; blob &lt;size&gt;\n&lt;content&gt;\n", or "&lt;id&gt; missing\n".</summary>
    private LoadedBlob ReadOne(BlobWork work)
    {
        try
        {
            int n = ReadLine();
            if (n < 0) { _broken = true; return default; }
            var header = Encoding.ASCII.GetString(_line, 0, n).Split(' ');
            if (header.Length != 3 || header[0] != work.Blob.Id.Sha) { _broken = header.Length != 2; return default; }
            if (!long.TryParse(header[2], out long size)) { _broken = true; return default; }
            if (header[1] != "blob" || size > _maxBytes)
            {
                Skip(size + 1);
                return default;
            }
            Reserve(size);
            var buffer = Buffers.Rent((int)Math.Max(1, size));
            _stdout.ReadExactly(buffer, 0, (int)size);
            if (_stdout.ReadByte() != '\n') { Release(buffer, (int)size); _broken = true; return default; }
            return new LoadedBlob(work, buffer, (int)size);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            _broken = true;
            return default;
        }
    }

    /// <summary>Content read ahead is bounded by bytes, not by count: one 60 MB blob or many small ones.</summary>
    public const long ReadAheadBytes = 24L << 20;
    private long _inFlight;
    /// <summary>A pool of its own: the shared pool keeps up to eight arrays per size and core, which for 4–8 MB
    /// blobs was a steady climb of a hundred megabytes over a sweep.</summary>
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(maxArrayLength: 64 << 20, maxArraysPerBucket: 4);
    private readonly object _budget = new();

    private void Reserve(long size)
    {
        lock (_budget)
        {
            while (_inFlight > 0 && _inFlight + size > ReadAheadBytes) Monitor.Wait(_budget);
            _inFlight += size;
        }
    }

    /// <summary>A worker is done with a blob's content.</summary>
    public void Release(byte[] buffer, int size)
    {
        Buffers.Return(buffer);
        lock (_budget)
        {
            _inFlight -= size;
            Monitor.PulseAll(_budget);
        }
    }

    private int ReadLine()
    {
        for (int i = 0; i < _line.Length; i++)
        {
            int b = _stdout.ReadByte();
            if (b < 0) return -1;
            if (b == '\n') return i;
            _line[i] = (byte)b;
        }
        return -1;
    }

    private void Skip(long count)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            while (count > 0)
            {
                int n = _stdout.Read(scratch, 0, (int)Math.Min(scratch.Length, count));
                if (n <= 0) throw new EndOfStreamException();
                count -= n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(scratch); }
    }

    /// <summary>Waits for both threads (the request queue must be completed first) and stops git.</summary>
    public void Dispose()
    {
        _writer.Join();
        _reader.Join();
        try
        {
            if (!_git.WaitForExit(5000)) _git.Kill();
        }
        catch (InvalidOperationException) { }
        _git.Dispose();
        _pending.Dispose();
    }
}
