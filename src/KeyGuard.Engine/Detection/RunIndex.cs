using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KeyGuard.Detection;

/// <summary>
/// The long runs of base64/URL characters (<c>A-Za-z0-9/+%</c>) in a text of bytes, found in one vectorised pass:
/// 64 bytes are classified at a time into a bit mask, and a block is looked at byte by byte only when its mask holds
/// a run long enough. Which keyword windows hold the run their rule needs is then a binary search, whatever the
/// number of keyword hits: on text where most lines say "secret" or "token", checking each window on its own cost
/// more than the rest of the scan.
/// </summary>
internal sealed class RunIndex
{
    private readonly List<(int Start, int End)> _runs = [];

    /// <summary>The maximal runs of at least <paramref name="minLength"/> (at most 64) characters, in order.</summary>
    public RunIndex(ReadOnlySpan<byte> text, int minLength, KeywordFinder? screen = null) => Index(text, minLength, screen);

    private RunIndex() { }

    [ThreadStatic] private static RunIndex? t_spare;

    /// <summary>This thread's index of <paramref name="text"/>'s runs, its lists reused from file to file; give it
    /// back with <see cref="Return"/>.</summary>
    public static RunIndex Rent(ReadOnlySpan<byte> text, int minLength, KeywordFinder? screen = null)
    {
        var index = t_spare ?? new RunIndex();
        t_spare = null;
        index.Index(text, minLength, screen);
        return index;
    }

    public static void Return(RunIndex index) => t_spare = index;

    private readonly List<(int Block, ulong Lanes)> _screened = [];
    private KeywordFinder? _screen;
    private int _screenedTo;

    /// <summary>
    /// The first hit of the finder this index screened with at or after <paramref name="from"/>, or -1: its screen ran
    /// in the same pass as the runs' (one load of each byte for both), and only the positions it passed are checked;
    /// past the last block it could screen, the finder searches as usual. <paramref name="cursor"/> (0 at first) keeps
    /// the place between calls with ascending <paramref name="from"/>.
    /// </summary>
    public int NextScreened(ReadOnlySpan<byte> text, int from, ref int cursor)
    {
        var screen = _screen!;
        for (; cursor < _screened.Count; cursor++)
        {
            var (block, lanes) = _screened[cursor];
            if (from >= block + 64) continue;
            if (from > block) lanes &= ulong.MaxValue << (from - block);
            for (; lanes != 0; lanes &= lanes - 1)
            {
                int at = block + BitOperations.TrailingZeroCount(lanes);
                if (screen.StartsAt(text, at)) return at;
            }
        }
        int tail = Math.Max(from, _screenedTo);
        return tail < text.Length ? screen.IndexOfAny(text, tail) : -1;
    }

    private void Index(ReadOnlySpan<byte> text, int minLength, KeywordFinder? screen)
    {
        if (minLength is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(minLength));
        _runs.Clear();
        _classified = false;
        _screened.Clear();
        _screen = screen;
        _screenedTo = 0;
        int i = 0, carry = 0;
        if (Avx2.IsSupported) i = Blocks(text, minLength, ref carry);
        // The tail (or everything, without vectors), a byte at a time.
        int start = i - carry;
        for (; i < text.Length; i++)
        {
            if (IsRunByte(text[i])) continue;
            if (i - start >= minLength) _runs.Add((start, i));
            start = i + 1;
        }
        if (text.Length - start >= minLength) _runs.Add((start, text.Length));
    }

    /// <summary>The whole 64-byte blocks: returns where they end, with <paramref name="carry"/> run bytes at their end.</summary>
    private int Blocks(ReadOnlySpan<byte> text, int minLength, ref int carry)
    {
        ref byte at = ref MemoryMarshal.GetReference(text);
        // A run of 32 or more bits inside 64 covers bits 64 - minLength to minLength - 1: most blocks fail that one test.
        ulong middle = minLength >= 32 ? (ulong.MaxValue >> (64 - minLength)) & (ulong.MaxValue << (64 - minLength)) : 0;
        int blocks = text.Length / 64;
        // The screen reads two bytes past each block: the last block it can screen starts 66 bytes before the end.
        int screened = _screen == null || text.Length < 66 ? 0 : Math.Min(blocks, (text.Length - 66) / 64 + 1);
        var tables = _screen?.Wide ?? default;
        // SIMD for a batch of blocks into masks, then the runs and candidates from them: a loop without calls keeps the
        // tables in registers (every vector register is the callee's to clobber).
        const int Batch = 64;
        Span<ulong> masks = stackalloc ulong[Batch];
        Span<ulong> passed = stackalloc ulong[Batch];
        int c = carry;
        for (int first = 0; first < blocks; first += Batch)
        {
            int count = Math.Min(Batch, blocks - first);
            MaskBlocks(ref at, first, count, Math.Clamp(screened - first, 0, count), tables, masks, passed);
            for (int k = 0; k < count; k++)
            {
                int i = (first + k) * 64;
                if (passed[k] != 0) _screened.Add((i, passed[k]));
                ulong m = masks[k];
                if (m == ulong.MaxValue) { c += 64; continue; }
                int prefix = BitOperations.TrailingZeroCount(~m);
                if (c + prefix >= minLength) _runs.Add((i - c, i + prefix));
                int top = BitOperations.LeadingZeroCount(~m);
                // The runs that neither continue one from before nor go on into the next block.
                ulong inner = m & (ulong.MaxValue << prefix) & (ulong.MaxValue >> top);
                if (middle != 0 ? (inner & middle) == middle : BitOperations.PopCount(inner) >= minLength && HasRunOfBits(inner, minLength))
                    AddRuns(inner, i, minLength);
                c = top;
            }
        }
        carry = c;
        _screenedTo = screened * 64;
        return blocks * 64;
    }

    /// <summary>For <paramref name="count"/> 64-byte blocks from block <paramref name="first"/>: each one's run bytes
    /// as a bit mask, and for the first <paramref name="screened"/> of them the positions the keyword screen passed.</summary>
    private static void MaskBlocks(ref byte at, int first, int count, int screened, KeywordFinder.WideTables tables, Span<ulong> masks, Span<ulong> passed)
    {
        var (lo, hi, nibble) = (Vector256.Create(LowNibbles), Vector256.Create(HighNibbles), Vector256.Create((byte)0x0F));
        ref ulong mask = ref MemoryMarshal.GetReference(masks);
        ref ulong pass = ref MemoryMarshal.GetReference(passed);
        for (int k = 0; k < count; k++)
        {
            nuint i = (nuint)(first + k) * 64;
            var (v0, v1) = (Vector256.LoadUnsafe(ref at, i), Vector256.LoadUnsafe(ref at, i + 32));
            var (low0, low1) = (v0 & nibble, v1 & nibble);
            var (high0, high1) = (Vector256.ShiftRightLogical(v0.AsUInt16(), 4).AsByte() & nibble, Vector256.ShiftRightLogical(v1.AsUInt16(), 4).AsByte() & nibble);
            Unsafe.Add(ref mask, k) = Classify(low0, high0, lo, hi) | ((ulong)Classify(low1, high1, lo, hi) << 32);
            ulong p = 0;
            if (k < screened)
            {
                var passed0 = KeywordFinder.Screen(tables, low0, high0, Vector256.LoadUnsafe(ref at, i + 1), Vector256.LoadUnsafe(ref at, i + 2));
                var passed1 = KeywordFinder.Screen(tables, low1, high1, Vector256.LoadUnsafe(ref at, i + 33), Vector256.LoadUnsafe(ref at, i + 34));
                p = ~(Vector256.Equals(passed0, Vector256<byte>.Zero).ExtractMostSignificantBits()
                      | ((ulong)Vector256.Equals(passed1, Vector256<byte>.Zero).ExtractMostSignificantBits() << 32));
            }
            Unsafe.Add(ref pass, k) = p;
        }
    }

    /// <summary>
    /// Per byte, whether it is a run character, as a bit mask: two 16-entry lookups (vpshufb), by the low and by the
    /// high nibble, share a bit for each group of run bytes: 0x25 0x2B 0x2F; 0x30-0x39; 0x41-0x4F and 0x61-0x6F;
    /// 0x50-0x5A and 0x70-0x7A. Bytes from 0x80 have no group.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static uint Classify(Vector256<byte> low, Vector256<byte> high, Vector256<byte> lo, Vector256<byte> hi) =>
        ~Vector256.Equals(Avx2.Shuffle(lo, low) & Avx2.Shuffle(hi, high), Vector256<byte>.Zero).ExtractMostSignificantBits();

    private static ReadOnlySpan<byte> LowNibbles =>
    [
        // 0    1    2    3    4    5    6    7    8    9    A    B    C    D    E    F   (low nibble)
        0xA, 0xE, 0xE, 0xE, 0xE, 0xF, 0xE, 0xE, 0xE, 0xE, 0xC, 0x5, 0x4, 0x4, 0x4, 0x5,
        0xA, 0xE, 0xE, 0xE, 0xE, 0xF, 0xE, 0xE, 0xE, 0xE, 0xC, 0x5, 0x4, 0x4, 0x4, 0x5,
    ];

    private static ReadOnlySpan<byte> HighNibbles =>
    [
        // high nibble 2: %+/ (bit 0); 3: digits (bit 1); 4, 6: letters from 1 (bit 2); 5, 7: letters to A (bit 3)
        0, 0, 1, 2, 4, 8, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 1, 2, 4, 8, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    public int Count => _runs.Count;

    /// <summary>The runs, ascending: [Start, End).</summary>
    public ReadOnlySpan<(int Start, int End)> Runs => CollectionsMarshal.AsSpan(_runs);

    private ulong[] _masks = [];
    private bool _classified;

    /// <summary>Marks each run with the rules it may serve (<see cref="RuleSet.RunMask"/>), for <see cref="Mask"/> and
    /// <see cref="HasRun"/>'s rule bit.</summary>
    public void Classify(ReadOnlySpan<byte> text, RuleSet rules)
    {
        var runs = Runs;
        if (_masks.Length < runs.Length) _masks = new ulong[Math.Max(runs.Length, 2 * _masks.Length)];
        _classified = true;
        for (int r = 0; r < runs.Length; r++) _masks[r] = rules.RunMask(text[runs[r].Start..runs[r].End]);
    }

    /// <summary>The rules run <paramref name="r"/> may serve; every rule before <see cref="Classify"/>.</summary>
    public ulong Mask(int r) => _classified ? _masks[r] : ulong.MaxValue;

    /// <summary>Whether [<paramref name="start"/>, <paramref name="end"/>) holds at least <paramref name="length"/>
    /// characters of one run (as <see cref="TextScanner.HasRun(ReadOnlySpan{byte}, int)"/> on that slice) that may
    /// serve the rule of <paramref name="bit"/> (<see cref="RuleSet.RunBit"/>).</summary>
    public bool HasRun(int start, int end, int length, ulong bit = ulong.MaxValue)
    {
        // The first run that ends after the window starts.
        int lo = 0, hi = _runs.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_runs[mid].End <= start) lo = mid + 1; else hi = mid;
        }
        for (int r = lo; r < _runs.Count && _runs[r].Start < end; r++)
            if ((Mask(r) & bit) != 0 && Math.Min(_runs[r].End, end) - Math.Max(_runs[r].Start, start) >= length) return true;
        return false;
    }

    internal static bool IsRunByte(byte b) => (uint)((b | 0x20) - 'a') < 26 || (uint)(b - '0') < 10 || b is (byte)'/' or (byte)'+' or (byte)'%';

    /// <summary>Whether <paramref name="bits"/> has <paramref name="length"/> set bits in a row (shifts that double).</summary>
    private static bool HasRunOfBits(ulong bits, int length)
    {
        int have = 1;
        while (bits != 0 && have < length)
        {
            int step = Math.Min(have, length - have);
            bits &= bits >> step;
            have += step;
        }
        return bits != 0;
    }

    private void AddRuns(ulong bits, int offset, int minLength)
    {
        while (bits != 0)
        {
            int start = BitOperations.TrailingZeroCount(bits);
            int length = BitOperations.TrailingZeroCount(~(bits >> start));
            if (length >= minLength) _runs.Add((offset + start, offset + start + length));
            bits &= start + length >= 64 ? 0 : ~((1UL << (start + length)) - 1);
        }
    }
}
