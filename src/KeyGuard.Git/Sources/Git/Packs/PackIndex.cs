using System.Buffers.Binary;

namespace KeyGuard.Sources.Git.Packs;

/// <summary>
/// A pack's <c>.idx</c> (version 2, SHA-1): every object's id and offset, and the entries sorted by offset, which is
/// the order git wrote them in (a delta's base before the delta, families together). Null-returning on anything it
/// does not know (version 1, SHA-256): callers then read through git as before.
/// </summary>
internal sealed class PackIndex
{
    public const int IdLength = 20;

    private readonly byte[] _ids;
    private readonly uint[] _fanout = new uint[256];

    /// <summary>Entry offsets in pack order (ascending).</summary>
    public long[] Offsets { get; }
    /// <summary>For each entry in pack order, its position in the index (sorted by id).</summary>
    public int[] IndexPositions { get; }
    /// <summary>For each index position, its entry's position in pack order.</summary>
    public int[] PackPositions { get; }
    public int Count => Offsets.Length;

    private PackIndex(byte[] ids, long[] offsets, int[] indexPositions, int[] packPositions, uint[] fanout)
    {
        _ids = ids;
        Offsets = offsets;
        IndexPositions = indexPositions;
        PackPositions = packPositions;
        _fanout = fanout;
    }

    public static PackIndex? Load(string idxPath)
    {
        byte[] data;
        try { data = File.ReadAllBytes(idxPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        var span = data.AsSpan();
        // "\377tOc", version 2
        if (span.Length < 8 + 1024 + 40 || BinaryPrimitives.ReadUInt32BigEndian(span) != 0xff744f63 || BinaryPrimitives.ReadUInt32BigEndian(span[4..]) != 2)
            return null;
        var fanout = new uint[256];
        for (int i = 0; i < 256; i++) fanout[i] = BinaryPrimitives.ReadUInt32BigEndian(span[(8 + 4 * i)..]);
        // Cumulative counts never go down; a damaged table would send Find outside the id table.
        for (int i = 1; i < 256; i++) if (fanout[i] < fanout[i - 1]) return null;
        long n = fanout[255];
        long idsAt = 8 + 1024, crcAt = idsAt + n * IdLength, offAt = crcAt + n * 4, bigAt = offAt + n * 4;
        if (n > int.MaxValue / IdLength || bigAt + 40 > span.Length) return null;
        int count = (int)n;
        var ids = span.Slice((int)idsAt, count * IdLength).ToArray();
        var offsets = new long[count];
        for (int i = 0; i < count; i++)
        {
            uint o = BinaryPrimitives.ReadUInt32BigEndian(span[(int)(offAt + 4L * i)..]);
            if ((o & 0x80000000) == 0) { offsets[i] = o; continue; }
            long at = bigAt + 8L * (o & 0x7fffffff);
            if (at + 8 > span.Length - 40) return null;
            offsets[i] = (long)BinaryPrimitives.ReadUInt64BigEndian(span[(int)at..]);
        }
        var indexPositions = new int[count];
        for (int i = 0; i < count; i++) indexPositions[i] = i;
        Array.Sort(offsets, indexPositions);
        var packPositions = new int[count];
        for (int k = 0; k < count; k++) packPositions[indexPositions[k]] = k;
        return new PackIndex(ids, offsets, indexPositions, packPositions, fanout);
    }

    /// <summary>The raw id of the entry at pack position <paramref name="k"/>.</summary>
    public ReadOnlySpan<byte> IdAt(int k) => _ids.AsSpan(IndexPositions[k] * IdLength, IdLength);

    /// <summary>Pack position of the object with this raw id, or -1.</summary>
    public int Find(ReadOnlySpan<byte> id)
    {
        int lo = id[0] == 0 ? 0 : (int)_fanout[id[0] - 1], hi = (int)_fanout[id[0]] - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = _ids.AsSpan(mid * IdLength, IdLength).SequenceCompareTo(id);
            if (c == 0) return PackPositions[mid];
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    /// <summary>Pack position of the entry starting at <paramref name="offset"/>, or -1.</summary>
    public int AtOffset(long offset)
    {
        int k = Array.BinarySearch(Offsets, offset);
        return k >= 0 ? k : -1;
    }
}
