using System.Buffers.Binary;
using System.Text;

namespace KeyGuard.Tests.Fuzzing;

/// <summary>
/// Turns seed inputs into damaged ones: bit flips, byte insert/delete/duplicate, splices between seeds, truncation,
/// interesting bytes and integers (0, 0xFF, 0x7F, lengths set huge or negative, in both byte orders), numbers in text
/// swapped for edge values, UTF-8 edge cases, and deep nesting. A few mutations are stacked on each input.
/// </summary>
internal sealed class Mutator(FuzzRandom random, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> tokens, int maxLength)
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x20, 0x0A, 0x0D, 0x09, 0x22, 0x5C, 0x2C, 0x3D, 0x3A, 0x5B, 0x5D, 0x7B, 0x7D, 0x3C, 0x3E];

    private static readonly long[] InterestingIntegers =
        [0, 1, -1, 2, 16, 127, 128, 255, 256, 0x7FFF, 0x8000, 0xFFFF, 0x10000, int.MaxValue, int.MinValue, uint.MaxValue, 0x7FFFFFFF - 7, long.MaxValue, long.MinValue, 0x80000000];

    private static readonly string[] InterestingNumbers =
        ["0", "-1", "-0", "1e400", "-1e400", "1.5", "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775808",
         "99999999999999999999999999", "NaN", "Infinity", "1e-400", "0x10", "٣", "00000000000000000001"];

    /// <summary>UTF-8 edge cases: BOM, overlong NUL, lone surrogate, past U+10FFFF, truncated sequences, U+FFFF, line and
    /// paragraph separators, right-to-left override, a 4-byte emoji, and bytes that are never UTF-8.</summary>
    public static readonly byte[][] Utf8EdgeCases =
    [
        [0xEF, 0xBB, 0xBF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xC3], [0xE2, 0x82],
        [0xF0, 0x9F, 0x98], [0xEF, 0xBF, 0xBF], [0xE2, 0x80, 0xA8], [0xE2, 0x80, 0xA9], [0xE2, 0x80, 0xAE], [0xF0, 0x9F, 0x98, 0x80],
        [0xFF], [0xFE, 0xFF], [0xC2, 0x85], [0x00],
    ];

    private static readonly string[] Nesters = ["[", "{\"a\":", "(", "<a>", "((?:", "[a]\n", "\"", "\\", "{", "x=", "\n", "\0"];

    public byte[] Next()
    {
        var data = new List<byte>(random.Pick(seeds));
        int count = random.OneIn(2) ? random.Next(1, 3) : random.Next(1, 9);
        for (int i = 0; i < count; i++) Mutate(data);
        if (data.Count > maxLength) data.RemoveRange(maxLength, data.Count - maxLength);
        return data.ToArray();
    }

    private void Mutate(List<byte> d)
    {
        int at = random.Next(d.Count + 1);
        switch (random.Next(13))
        {
            case 0:   // flip one bit
                if (d.Count > 0) { int i = random.Next(d.Count); d[i] ^= (byte)(1 << random.Next(8)); }
                break;
            case 1:   // an interesting byte
                if (d.Count > 0) d[random.Next(d.Count)] = random.Pick(InterestingBytes);
                break;
            case 2:   // random bytes inserted
                for (int n = random.Next(1, 9); n > 0; n--) d.Insert(at, (byte)random.Next(256));
                break;
            case 3:   // a range deleted
                if (d.Count > 0) { int i = random.Next(d.Count); d.RemoveRange(i, Math.Min(d.Count - i, random.Next(1, random.OneIn(4) ? d.Count + 1 : 65))); }
                break;
            case 4:   // a range duplicated, sometimes many times
                if (d.Count > 0)
                {
                    int i = random.Next(d.Count), n = Math.Min(d.Count - i, random.Next(1, 65));
                    var chunk = d.GetRange(i, n);
                    for (int r = random.OneIn(8) ? random.Next(2, 64) : 1; r > 0; r--) d.InsertRange(at, chunk);
                }
                break;
            case 5:   // splice a chunk of another seed in, or replace the tail with another seed's tail
            {
                var other = random.Pick(seeds);
                if (other.Length == 0) break;
                int from = random.Next(other.Length), n = Math.Min(other.Length - from, random.Next(1, 257));
                if (random.OneIn(2)) d.InsertRange(at, other.AsSpan(from, n).ToArray());
                else { d.RemoveRange(at, d.Count - at); d.AddRange(other.AsSpan(from).ToArray()); }
                break;
            }
            case 6:   // truncated
                d.RemoveRange(at, d.Count - at);
                break;
            case 7:   // an interesting integer over 1, 2, 4 or 8 bytes, either byte order (lengths, counts, offsets)
            {
                int width = random.Pick(new[] { 1, 2, 4, 8 });
                if (d.Count < width) break;
                int i = random.Next(d.Count - width + 1);
                Span<byte> bytes = stackalloc byte[8];
                long v = random.Pick(InterestingIntegers);
                if (random.OneIn(2)) BinaryPrimitives.WriteInt64BigEndian(bytes, v); else BinaryPrimitives.WriteInt64LittleEndian(bytes, v);
                var slice = random.OneIn(2) ? bytes[(8 - width)..] : bytes[..width];
                for (int b = 0; b < width; b++) d[i + b] = slice[b];
                break;
            }
            case 8:   // a format token or a UTF-8 edge case
                d.InsertRange(at, random.OneIn(2) && tokens.Count > 0 ? random.Pick(tokens) : random.Pick(Utf8EdgeCases));
                break;
            case 9:   // deep nesting
            {
                var opener = Encoding.UTF8.GetBytes(random.Pick(Nesters));
                int depth = random.OneIn(4) ? random.Next(1000, 20000) : random.Next(10, 200);
                var run = new byte[opener.Length * depth];
                for (int r = 0; r < depth; r++) opener.CopyTo(run, r * opener.Length);
                d.InsertRange(at, run);
                break;
            }
            case 10:   // a number in the text swapped for an edge value
            {
                int start = FindDigit(d, random.Next(d.Count + 1));
                if (start < 0) goto case 8;
                int end = start;
                while (end < d.Count && (char.IsAsciiDigit((char)d[end]) || d[end] == '.')) end++;
                d.RemoveRange(start, end - start);
                d.InsertRange(start, Encoding.UTF8.GetBytes(random.Pick(InterestingNumbers)));
                break;
            }
            case 11:   // a byte nudged up or down (off-by-one lengths and digits)
                if (d.Count > 0) { int i = random.Next(d.Count); d[i] = (byte)(d[i] + random.Next(-4, 5)); }
                break;
            default:   // a byte overwritten with anything
                if (d.Count > 0) d[random.Next(d.Count)] = (byte)random.Next(256);
                break;
        }
    }

    private static int FindDigit(List<byte> d, int from)
    {
        for (int n = 0; n < d.Count; n++)
        {
            int i = (from + n) % d.Count;
            if (char.IsAsciiDigit((char)d[i]) && (i == 0 || !char.IsAsciiDigit((char)d[i - 1]))) return i;
        }
        return -1;
    }
}
