using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Microsoft.Win32.SafeHandles;

namespace KeyGuard.Sources.Git.Packs;

/// <summary>Object types as a pack stores them.</summary>
internal enum PackType : sbyte { Unknown = -1, Commit = 1, Tree = 2, Blob = 3, Tag = 4, OfsDelta = 6, RefDelta = 7 }

/// <summary>One entry's header: its stored type, the size of its inflated data, where its compressed data lies, and
/// for a delta the pack position of its base (-1 when the base is not in this pack).</summary>
internal readonly record struct PackEntry(PackType Type, long Size, long DataStart, long DataEnd, int BasePosition)
{
    public bool IsDelta => Type is PackType.OfsDelta or PackType.RefDelta;
}

/// <summary>
/// Reads entries of one pack file (version 2 or 3) through a window that slides forward as the pack is read in order,
/// so a sequential pass costs a few large reads, not one per object. Never maps the file: memory stays at the window.
/// </summary>
internal sealed class PackFile : IDisposable
{
    private const int WindowBytes = 4 << 20;
    private const int HashLength = 20;

    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private byte[] _window = new byte[WindowBytes];
    private long _windowStart = -1;
    private int _windowLength;

    public PackIndex Index { get; }
    public string Path { get; }

    private PackFile(string path, SafeFileHandle handle, long length, PackIndex index)
    {
        Path = path;
        _handle = handle;
        _length = length;
        Index = index;
    }

    /// <summary>Opens a pack and its index; null when either is missing, unreadable or of a kind this reader does not know.</summary>
    public static PackFile? Open(string packPath)
    {
        var index = PackIndex.Load(System.IO.Path.ChangeExtension(packPath, ".idx"));
        if (index == null) return null;
        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle(packPath);
            long length = RandomAccess.GetLength(handle);
            Span<byte> head = stackalloc byte[12];
            if (length < 12 + HashLength || RandomAccess.Read(handle, head, 0) != 12) { handle.Dispose(); return null; }
            uint version = BinaryPrimitives.ReadUInt32BigEndian(head[4..]);
            if (!head[..4].SequenceEqual("PACK"u8) || version is not (2 or 3) || BinaryPrimitives.ReadUInt32BigEndian(head[8..]) != index.Count)
            {
                handle.Dispose();
                return null;
            }
            // Every entry must start after the header and before the trailing checksum, each after the last (two
            // at one offset, or one past the end, is a damaged index: entry bounds would come out empty or negative).
            for (int k = 0; k < index.Count; k++)
                if (index.Offsets[k] < 12 || index.Offsets[k] >= length - HashLength || (k > 0 && index.Offsets[k] == index.Offsets[k - 1]))
                {
                    handle.Dispose();
                    return null;
                }
            return new PackFile(packPath, handle, length, index);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            handle?.Dispose();
            return null;
        }
    }

    /// <summary>Another reader of this pack for another thread: its own handle and read window, the same index (an
    /// index can be a hundred megabytes; it is read once).</summary>
    public PackFile Reopen() => new(Path, File.OpenHandle(Path), _length, Index);

    /// <summary>The bytes [offset, offset + count): from the window when it holds them, else the window moves there.</summary>
    private ReadOnlySpan<byte> Bytes(long offset, int count, out byte[] array, out int at)
    {
        if (offset < _windowStart || offset + count > _windowStart + _windowLength)
        {
            // Checked before the window grows: a damaged entry must not allocate more than the pack holds.
            if (count < 0 || offset < 0 || offset + count > _length) throw new InvalidDataException($"{Path}: truncated at offset {offset}");
            if (count > _window.Length) _window = new byte[count];
            int want = (int)Math.Min(_window.Length, _length - offset);
            int got = 0;
            while (got < want)
            {
                int n = RandomAccess.Read(_handle, _window.AsSpan(got, want - got), offset + got);
                if (n <= 0) break;
                got += n;
            }
            _windowStart = offset;
            _windowLength = got;
            if (got < count) throw new InvalidDataException($"{Path}: truncated at offset {offset}");
        }
        array = _window;
        at = (int)(offset - _windowStart);
        return _window.AsSpan(at, count);
    }

    /// <summary>Parses the header of the entry at pack position <paramref name="k"/>.</summary>
    public PackEntry Entry(int k)
    {
        long offset = Index.Offsets[k];
        long end = k + 1 < Index.Count ? Index.Offsets[k + 1] : _length - HashLength;
        int headerMax = (int)Math.Min(32 + HashLength, end - offset);
        var b = Bytes(offset, headerMax, out _, out _);
        int i = 0;
        byte c = b[i++];
        var type = (PackType)((c >> 4) & 7);
        long size = c & 15;
        int shift = 4;
        while ((c & 0x80) != 0)
        {
            if (i >= b.Length || shift > 56) throw new InvalidDataException($"{Path}: bad entry header at {offset}");
            c = b[i++];
            size |= (long)(c & 0x7f) << shift;
            shift += 7;
        }
        int basePosition = -1;
        if (type == PackType.OfsDelta)
        {
            if (i >= b.Length) throw new InvalidDataException($"{Path}: bad delta offset at {offset}");
            c = b[i++];
            long back = c & 0x7f;
            while ((c & 0x80) != 0)
            {
                if (i >= b.Length) throw new InvalidDataException($"{Path}: bad delta offset at {offset}");
                c = b[i++];
                back = ((back + 1) << 7) | (long)(c & 0x7f);
            }
            basePosition = back > 0 && back <= offset ? Index.AtOffset(offset - back) : -1;
        }
        else if (type == PackType.RefDelta)
        {
            if (i + HashLength > b.Length) throw new InvalidDataException($"{Path}: bad delta base at {offset}");
            basePosition = Index.Find(b.Slice(i, HashLength));
            i += HashLength;
        }
        else if (type is not (PackType.Commit or PackType.Tree or PackType.Blob or PackType.Tag))
            throw new InvalidDataException($"{Path}: unknown object type {(int)type} at {offset}");
        return new PackEntry(type, size, offset + i, end, basePosition);
    }

    /// <summary>Inflates an entry's data (the object, or the delta instructions) into <paramref name="output"/>.</summary>
    public void Inflate(in PackEntry entry, Span<byte> output)
    {
        long compressed = entry.DataEnd - entry.DataStart;
        if (compressed <= 0 || compressed > int.MaxValue || output.Length != entry.Size)
            throw new InvalidDataException($"{Path}: bad entry bounds at {entry.DataStart}");
        var data = Bytes(entry.DataStart, (int)compressed, out var array, out int at);
        // Entries lie back to back: the stream's last four bytes are zlib's Adler-32 of the whole object.
        uint stored = compressed >= 6 ? BinaryPrimitives.ReadUInt32BigEndian(data[^4..]) : 0;
        using var z = new ZLibStream(new MemoryStream(array, at, (int)compressed, writable: false), CompressionMode.Decompress);
        z.ReadExactly(output);
        // A damaged stream can inflate to as many bytes (or more) of the wrong content. One more read finds more; and
        // the sum is checked here, not left to zlib: a stream damaged near its end can stop short of its trailer,
        // which .NET reads as a clean end. Either throws InvalidDataException, and the caller leaves the entry to
        // git, which reports it.
        Span<byte> past = stackalloc byte[1];
        if (z.Read(past) != 0) throw new InvalidDataException($"{Path}: entry at {entry.DataStart} inflates past its size");
        if (Adler32(output) != stored) throw new InvalidDataException($"{Path}: entry at {entry.DataStart} fails its zlib check");
    }

    /// <summary>zlib's Adler-32 of <paramref name="data"/>: 32 bytes a step with AVX2 (a history sweep sums every
    /// object it inflates), the rest a byte at a time.</summary>
    internal static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint Mod = 65521;
        uint a = 1, b = 0;
        if (Avx2.IsSupported)
        {
            // After N more bytes x_i: a += sum of x_i, b += N * a + sum of (N - i) * x_i. By 32-byte chunks: each chunk's
            // bytes weigh 32 down to 1, plus 32 times the sum of all the chunks before it. 173 chunks at most, so that
            // no 32-bit lane can overflow.
            var weights = Vector256.Create((sbyte)32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
                16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
            var ones = Vector256.Create((short)1);
            while (data.Length >= 32)
            {
                int chunks = Math.Min(data.Length / 32, 173);
                ref byte at = ref MemoryMarshal.GetReference(data);
                Vector256<uint> sums = default, before = default, weighted = default;
                for (int j = 0; j < chunks; j++)
                {
                    var v = Vector256.LoadUnsafe(ref at, (nuint)j * 32);
                    before += sums;
                    sums += Avx2.SumAbsoluteDifferences(v, Vector256<byte>.Zero).AsUInt32();
                    weighted += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, weights), ones).AsUInt32();
                }
                int n = chunks * 32;
                b = (uint)((b + (ulong)n * a + 32UL * Vector256.Sum(before) + Vector256.Sum(weighted)) % Mod);
                a = (uint)((a + Vector256.Sum(sums)) % Mod);
                data = data[n..];
            }
        }
        // 5552 bytes is the most that can be summed before the 32-bit sums could overflow.
        while (data.Length > 0)
        {
            int n = Math.Min(data.Length, 5552);
            foreach (byte x in data[..n]) { a += x; b += a; }
            a %= Mod;
            b %= Mod;
            data = data[n..];
        }
        return b << 16 | a;
    }

    public void Dispose() => _handle.Dispose();
}
