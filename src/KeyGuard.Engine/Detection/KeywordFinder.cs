using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace KeyGuard.Detection;

/// <summary>
/// Finds rule keywords in text, on bytes (before any decoding) or on characters.
/// Keywords are smart-case, as in ripgrep: all-lowercase ones match any case, ones with an uppercase letter match
/// exactly (AKIA never matches "akia", which is how "ak"/"as" in ordinary text stopped costing a verification).
/// The search is Teddy's (Hyperscan, ripgrep): a SIMD screen on the first three characters through nibble tables,
/// then a full comparison at the few positions that pass. A general case-insensitive multi-literal search over
/// mostly-'A' prefixes ran at ~0.3 GB/s per core here and was most of a scan's time.
/// </summary>
internal sealed class KeywordFinder
{
    private readonly string[] _keywords;
    private readonly bool[] _exact;
    private const int Buckets = 8;
    private readonly int[][] _byBucket;
    private readonly Tables _tables;
    private readonly WideTables _wide;

    /// <summary>Per position 0–2 of a keyword, which buckets allow each low and each high nibble there.</summary>
    private readonly record struct Tables(
        Vector128<byte> Lo0, Vector128<byte> Hi0, Vector128<byte> Lo1, Vector128<byte> Hi1, Vector128<byte> Lo2, Vector128<byte> Hi2);

    internal readonly record struct WideTables(
        Vector256<byte> Lo0, Vector256<byte> Hi0, Vector256<byte> Lo1, Vector256<byte> Hi1, Vector256<byte> Lo2, Vector256<byte> Hi2);

    public KeywordFinder(IEnumerable<string> keywords)
    {
        _keywords = keywords.Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        _exact = _keywords.Select(IsExact).ToArray();
        (_head, _headFold, _headMask) = (new uint[_keywords.Length], new uint[_keywords.Length], new uint[_keywords.Length]);
        for (int k = 0; k < _keywords.Length; k++)
            for (int j = 0; j < Math.Min(4, _keywords[k].Length); j++)
            {
                char c = _keywords[k][j];
                if (c > 0x7F) continue;
                _head[k] |= (uint)c << (8 * j);
                _headMask[k] |= 0xFFu << (8 * j);
                // An all-lowercase keyword matches any case: the text's letters compare with the case bit set.
                if (!_exact[k] && char.IsAsciiLetterLower(c)) _headFold[k] |= 0x20u << (8 * j);
            }
        // One keyword that matches exactly (the runs-first screen's accessToken): a plain vectorised substring search.
        if (_keywords.Length == 1 && (_exact[0] || !_keywords[0].Any(char.IsAsciiLetter)) && _keywords[0].All(char.IsAscii))
            _only = System.Text.Encoding.ASCII.GetBytes(_keywords[0]);

        var nibbles = Enumerable.Range(0, _keywords.Length).Select(Nibbles).ToArray();
        _byBucket = AssignBuckets(nibbles);

        var lo = new byte[3, 16];
        var hi = new byte[3, 16];
        for (int b = 0; b < Buckets; b++)
            foreach (int k in _byBucket[b])
            {
                byte bit = (byte)(1 << b);
                for (int j = 0; j < 3; j++)
                    for (int n = 0; n < 16; n++)
                    {
                        if ((nibbles[k].Lo[j] & (1 << n)) != 0) lo[j, n] |= bit;
                        if ((nibbles[k].Hi[j] & (1 << n)) != 0) hi[j, n] |= bit;
                    }
            }
        _byFirst = Enumerable.Range(0, 129)
            .Select(slot => Enumerable.Range(0, _keywords.Length).Where(k => (_keywords[k][0] < 128 ? _keywords[k][0] | 0x20 : 128) == slot).ToArray())
            .ToArray();
        Vector128<byte> Row(byte[,] table, int j) => Vector128.Create(Enumerable.Range(0, 16).Select(n => table[j, n]).ToArray());
        _tables = new Tables(Row(lo, 0), Row(hi, 0), Row(lo, 1), Row(hi, 1), Row(lo, 2), Row(hi, 2));
        var tb = _tables;
        _wide = new WideTables(Vector256.Create(tb.Lo0, tb.Lo0), Vector256.Create(tb.Hi0, tb.Hi0), Vector256.Create(tb.Lo1, tb.Lo1),
            Vector256.Create(tb.Hi1, tb.Hi1), Vector256.Create(tb.Lo2, tb.Lo2), Vector256.Create(tb.Hi2, tb.Hi2));
    }

    /// <summary>
    /// The keywords that can start with this character, for finding which matched at a hit without trying all:
    /// by the character with bit 5 set (the ASCII case bit), everything non-ASCII together.
    /// </summary>
    public ReadOnlySpan<int> StartingWith(uint c) => _byFirst[c < 128 ? (int)(c | 0x20) : 128];

    private readonly int[][] _byFirst;
    private readonly byte[]? _only;
    /// <summary>Per keyword, its first four characters as a little-endian word, the case bits forced on in the text
    /// before comparing, and which bytes compare (non-ASCII ones are left to <see cref="Matches{T}"/>).</summary>
    private readonly uint[] _head, _headFold, _headMask;

    /// <summary>The keywords, in the order <see cref="Matches{T}"/> numbers them.</summary>
    public IReadOnlyList<string> Keywords => _keywords;

    /// <summary>A keyword with an uppercase letter matches exactly; an all-lowercase one matches any case.</summary>
    public static bool IsExact(string keyword) => keyword.Any(char.IsUpper);

    /// <summary>The low and high nibbles keyword <paramref name="k"/> allows at each of its first three characters:
    /// both cases of a letter unless it matches exactly; any past its end or at a non-ASCII character.</summary>
    private (ushort[] Lo, ushort[] Hi) Nibbles(int k)
    {
        var (lo, hi) = (new ushort[3], new ushort[3]);
        var word = _keywords[k];
        for (int j = 0; j < 3; j++)
        {
            if (j >= word.Length || word[j] > 0x7F) { lo[j] = hi[j] = ushort.MaxValue; continue; }
            char c = word[j];
            foreach (var f in _exact[k] || !char.IsAsciiLetter(c) ? [c] : new[] { char.ToLowerInvariant(c), char.ToUpperInvariant(c) })
            {
                lo[j] |= (ushort)(1 << (f & 15));
                hi[j] |= (ushort)(1 << (f >> 4));
            }
        }
        return (lo, hi);
    }

    /// <summary>
    /// Keywords share a bucket when their first three characters let the fewest other trigrams through together:
    /// a bucket's screen passes any combination of its keywords' nibbles, so putting <c>accessToken</c> with the key ID
    /// prefixes let every "acc" and "Acc" of a text through to a verification. Greedy: singletons, then the pair of
    /// buckets whose union passes the fewest extra nibble combinations is merged, until eight are left.
    /// </summary>
    private static int[][] AssignBuckets((ushort[] Lo, ushort[] Hi)[] nibbles)
    {
        var groups = nibbles.Select((m, k) => (Lo: (ushort[])m.Lo.Clone(), Hi: (ushort[])m.Hi.Clone(), Members: new List<int> { k }, Passed: Passed(m.Lo, m.Hi))).ToList();
        static double Passed(ushort[] lo, ushort[] hi)
        {
            double n = 1;
            for (int j = 0; j < 3; j++) n *= BitOperations.PopCount(lo[j]) * BitOperations.PopCount(hi[j]);
            return n;
        }
        while (groups.Count > Buckets)
        {
            int bestA = 0, bestB = 1;
            double bestCost = double.MaxValue;
            for (int a = 0; a < groups.Count; a++)
                for (int b = a + 1; b < groups.Count; b++)
                {
                    var (ga, gb) = (groups[a], groups[b]);
                    double merged = 1;
                    for (int j = 0; j < 3; j++)
                        merged *= BitOperations.PopCount((uint)(ga.Lo[j] | gb.Lo[j])) * BitOperations.PopCount((uint)(ga.Hi[j] | gb.Hi[j]));
                    double cost = merged - ga.Passed - gb.Passed;
                    if (cost < bestCost) { bestCost = cost; bestA = a; bestB = b; }
                }
            var (x, y) = (groups[bestA], groups[bestB]);
            for (int j = 0; j < 3; j++) { x.Lo[j] |= y.Lo[j]; x.Hi[j] |= y.Hi[j]; }
            x.Members.AddRange(y.Members);
            groups[bestA] = x with { Passed = Passed(x.Lo, x.Hi) };
            groups.RemoveAt(bestB);
        }
        var buckets = new int[Buckets][];
        for (int b = 0; b < Buckets; b++) buckets[b] = b < groups.Count ? [.. groups[b].Members.Order()] : [];
        return buckets;
    }

    /// <summary>Does keyword <paramref name="k"/> occur at <paramref name="index"/>?</summary>
    public bool Matches<T>(ReadOnlySpan<T> text, int index, int k) where T : unmanaged, IBinaryInteger<T>
    {
        var word = _keywords[k];
        if (index + word.Length > text.Length) return false;
        bool exact = _exact[k];
        for (int i = 0; i < word.Length; i++)
        {
            uint c = uint.CreateTruncating(text[index + i]);
            uint w = word[i];
            if (c == w) continue;
            if (exact || !char.IsAsciiLetter((char)w) || (c | 0x20) != (w | 0x20)) return false;
        }
        return true;
    }

    /// <summary>The first index at or after <paramref name="from"/> where some keyword starts, or -1.</summary>
    public int IndexOfAny(ReadOnlySpan<byte> text, int from = 0)
    {
        if (_keywords.Length == 0) return -1;
        if (_only != null)
        {
            int at = text[from..].IndexOf(_only);
            return at < 0 ? -1 : from + at;
        }
        int i = from;
        if (Avx2.IsSupported)
        {
            // 32 positions per step: the screen is most of the CPU a scan of source files spends outside the kernel.
            ref byte start = ref MemoryMarshal.GetReference(text);
            var t = _wide;
            for (int last = text.Length - 2 - Vector256<byte>.Count; i <= last; i += Vector256<byte>.Count)
            {
                var buckets = Screen(t,
                    Vector256.LoadUnsafe(ref start, (nuint)i),
                    Vector256.LoadUnsafe(ref start, (nuint)i + 1),
                    Vector256.LoadUnsafe(ref start, (nuint)i + 2));
                if (buckets == Vector256<byte>.Zero) continue;
                int hit = Verify(text, i, buckets.GetLower());
                if (hit < 0) hit = Verify(text, i + Vector128<byte>.Count, buckets.GetUpper());
                if (hit >= 0) return hit;
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            ref byte start = ref MemoryMarshal.GetReference(text);
            var t = _tables;
            for (int last = text.Length - 2 - Vector128<byte>.Count; i <= last; i += Vector128<byte>.Count)
            {
                var buckets = Screen(t,
                    Vector128.LoadUnsafe(ref start, (nuint)i),
                    Vector128.LoadUnsafe(ref start, (nuint)i + 1),
                    Vector128.LoadUnsafe(ref start, (nuint)i + 2));
                if (buckets == Vector128<byte>.Zero) continue;
                int hit = Verify(text, i, buckets);
                if (hit >= 0) return hit;
            }
        }
        return Scalar(text, i);
    }

    /// <summary>The screen's tables, for a pass that screens while it does something else (<see cref="RunIndex"/>).</summary>
    internal WideTables Wide => _wide;

    /// <summary>Whether some keyword starts at <paramref name="index"/>, a position another pass's screen passed: the
    /// keywords that can start with its byte, each first by its four-byte head.</summary>
    internal bool StartsAt(ReadOnlySpan<byte> text, int index)
    {
        uint? head = HeadAt(text, index);
        foreach (int k in StartingWith(text[index]))
        {
            if (head is { } h && !HeadPasses(h, k)) continue;
            if (Matches(text, index, k)) return true;
        }
        return false;
    }

    /// <summary>The four bytes from <paramref name="index"/> as a little-endian word; null when fewer are left.</summary>
    private static uint? HeadAt(ReadOnlySpan<byte> text, int index) =>
        index + 4 <= text.Length ? Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(text), index)) : null;

    /// <summary>Whether keyword <paramref name="k"/> can start with these four bytes (its head, case folded where it
    /// matches any case).</summary>
    private bool HeadPasses(uint head, int k) => ((head | _headFold[k]) & _headMask[k]) == _head[k];

    /// <summary>Characters are narrowed to their low bytes for the screen (a false candidate costs a verification,
    /// never a miss) and verified as characters.</summary>
    public int IndexOfAny(ReadOnlySpan<char> chars, int from = 0)
    {
        if (_keywords.Length == 0) return -1;
        var text = MemoryMarshal.Cast<char, ushort>(chars);
        int i = from;
        if (Vector128.IsHardwareAccelerated)
        {
            ref ushort start = ref MemoryMarshal.GetReference(text);
            var t = _tables;
            int width = Vector128<ushort>.Count;
            for (int last = text.Length - 2 - 2 * width; i <= last; i += 2 * width)
            {
                var buckets = Screen(t,
                    Narrow(ref start, i), Narrow(ref start, i + 1), Narrow(ref start, i + 2));
                if (buckets == Vector128<byte>.Zero) continue;
                int hit = Verify(text, i, buckets);
                if (hit >= 0) return hit;
            }
        }
        return Scalar(text, i);
    }

    public bool Matches(ReadOnlySpan<char> text, int index, int k) => Matches(MemoryMarshal.Cast<char, ushort>(text), index, k);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Narrow(ref ushort start, int i) =>
        Vector128.Narrow(Vector128.LoadUnsafe(ref start, (nuint)i) & Vector128.Create((ushort)0xFF),
                         Vector128.LoadUnsafe(ref start, (nuint)i + 8) & Vector128.Create((ushort)0xFF));

    /// <summary>
    /// Teddy's screen: for each of the first three characters, a 16-entry table per nibble says which buckets of
    /// keywords allow that nibble there; a position survives when some bucket allows all six nibbles.
    /// Independent of the number of keywords: about two instructions per byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Screen(Tables t, Vector128<byte> c0, Vector128<byte> c1, Vector128<byte> c2)
    {
        var low = Vector128.Create((byte)0x0F);
        var m = Lookup(t.Lo0, c0 & low) & Lookup(t.Hi0, Vector128.ShiftRightLogical(c0, 4) & low);
        m &= Lookup(t.Lo1, c1 & low) & Lookup(t.Hi1, Vector128.ShiftRightLogical(c1, 4) & low);
        m &= Lookup(t.Lo2, c2 & low) & Lookup(t.Hi2, Vector128.ShiftRightLogical(c2, 4) & low);
        return m;
    }

    /// <summary>The same screen on 32 positions at once (AVX2: the tables repeated in both 128-bit lanes, as
    /// vpshufb looks up within each lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Screen(WideTables t, Vector256<byte> c0, Vector256<byte> c1, Vector256<byte> c2)
    {
        var low = Vector256.Create((byte)0x0F);
        return Screen(t, c0 & low, Vector256.ShiftRightLogical(c0, 4) & low, c1, c2);
    }

    /// <summary><see cref="Screen(WideTables, Vector256{byte}, Vector256{byte}, Vector256{byte})"/> with the first
    /// position's nibbles already split (<see cref="RunIndex"/> splits them to classify the same bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Screen(WideTables t, Vector256<byte> low0, Vector256<byte> high0, Vector256<byte> c1, Vector256<byte> c2)
    {
        var low = Vector256.Create((byte)0x0F);
        var m = Avx2.Shuffle(t.Lo0, low0) & Avx2.Shuffle(t.Hi0, high0);
        m &= Avx2.Shuffle(t.Lo1, c1 & low) & Avx2.Shuffle(t.Hi1, Vector256.ShiftRightLogical(c1, 4) & low);
        m &= Avx2.Shuffle(t.Lo2, c2 & low) & Avx2.Shuffle(t.Hi2, Vector256.ShiftRightLogical(c2, 4) & low);
        return m;
    }

    /// <summary>A 16-entry table lookup: pshufb or tbl. (NativeAOT does not lower ShuffleNative to pshufb.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Lookup(Vector128<byte> table, Vector128<byte> nibbles) =>
        Ssse3.IsSupported ? Ssse3.Shuffle(table, nibbles)
        : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.VectorTableLookup(table, nibbles)
        : Vector128.Shuffle(table, nibbles);

    /// <summary>The first position of the block where a keyword of a surviving bucket really starts, or -1.</summary>
    private int Verify<T>(ReadOnlySpan<T> text, int block, Vector128<byte> buckets) where T : unmanaged, IBinaryInteger<T>
    {
        uint positions = (~Vector128.Equals(buckets, Vector128<byte>.Zero)).ExtractMostSignificantBits();
        while (positions != 0)
        {
            int lane = BitOperations.TrailingZeroCount(positions);
            int bits = buckets.GetElement(lane);
            // The first four bytes against each keyword's in one comparison: "ACCESS" is not "ACCA".
            uint? head = typeof(T) == typeof(byte) ? HeadAt(MemoryMarshal.Cast<T, byte>(text), block + lane) : null;
            for (int b = 0; b < Buckets; b++)
            {
                if ((bits & (1 << b)) == 0) continue;
                foreach (int k in _byBucket[b])
                {
                    if (head is { } h && !HeadPasses(h, k)) continue;
                    if (Matches(text, block + lane, k)) return block + lane;
                }
            }
            positions &= positions - 1;
        }
        return -1;
    }

    private int Scalar<T>(ReadOnlySpan<T> text, int i) where T : unmanaged, IBinaryInteger<T>
    {
        for (; i < text.Length; i++)
        {
            uint c = uint.CreateTruncating(text[i]) | 0x20;
            if (c < 128 && _byFirst[c].Length == 0) continue;
            for (int k = 0; k < _keywords.Length; k++)
                if (Matches(text, i, k)) return i;
        }
        return -1;
    }

    /// <summary>Characters are searched as 16-bit units: SIMD has no vectors of char.</summary>
}
