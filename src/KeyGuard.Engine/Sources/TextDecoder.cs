using System.Text;
using System.Text.Unicode;

namespace KeyGuard.Sources;

/// <summary>
/// Turns raw bytes into text the detectors can read. UTF-16 and UTF-32 files (by BOM, or by the NULs of their ASCII
/// characters) and Latin-1 bytes are decoded rather than skipped, because secrets hide in Windows config files too;
/// otherwise a NUL byte anywhere in the sniffed prefix marks the file as binary.
/// </summary>
internal static class TextDecoder
{
    /// <summary>How many leading bytes decide whether a file is binary.</summary>
    public const int SniffLength = 8192;

    public static bool LooksBinary(ReadOnlySpan<byte> head)
    {
        if (DetectBomEncoding(head, out _) is UnicodeEncoding or UTF32Encoding) return false;
        return head[..Math.Min(head.Length, SniffLength)].IndexOf((byte)0) >= 0;
    }

    private static readonly Encoding Utf16Le = new UnicodeEncoding(false, false), Utf16Be = new UnicodeEncoding(true, false);
    private static readonly Encoding Utf32Le = new UTF32Encoding(false, false), Utf32Be = new UTF32Encoding(true, false);

    /// <summary>
    /// Returns the encoding a byte-order mark names, with the mark's length; else UTF-16 or UTF-32 told by the NULs
    /// of ASCII text in them (<see cref="WideWithoutBom"/>); null for text seen as bytes (UTF-8, Latin-1).
    /// </summary>
    public static Encoding? DetectBomEncoding(ReadOnlySpan<byte> head, out int bomLength)
    {
        bomLength = 0;
        if (head.Length >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) { bomLength = 3; return new UTF8Encoding(false); }
        // FF FE 00 00 is UTF-32LE's mark (a UTF-16 file does not start with a NUL character).
        if (head.Length >= 4 && head[0] == 0xFF && head[1] == 0xFE && head[2] == 0 && head[3] == 0) { bomLength = 4; return Utf32Le; }
        if (head.Length >= 4 && head[0] == 0 && head[1] == 0 && head[2] == 0xFE && head[3] == 0xFF) { bomLength = 4; return Utf32Be; }
        if (head.Length >= 2 && head[0] == 0xFF && head[1] == 0xFE) { bomLength = 2; return Utf16Le; }
        if (head.Length >= 2 && head[0] == 0xFE && head[1] == 0xFF) { bomLength = 2; return Utf16Be; }
        // Text as bytes has no NUL in its first four: the only cost most files pay here.
        if (head.Length >= 4 && (head[0] == 0 || head[1] == 0 || head[2] == 0 || head[3] == 0)) return WideWithoutBom(head);
        return null;
    }

    /// <summary>
    /// UTF-16 or UTF-32 without a mark, from the first 64 code units' worth of bytes: a NUL at every other byte (or
    /// three in every four) where ASCII text sits, and no NUL character. Binary data that happens to look like that
    /// is decoded and scanned, which costs only time.
    /// </summary>
    private static Encoding? WideWithoutBom(ReadOnlySpan<byte> head)
    {
        if (Looks(head, 4, littleEndian: true)) return Utf32Le;
        if (Looks(head, 4, littleEndian: false)) return Utf32Be;
        if (Looks(head, 2, littleEndian: true)) return Utf16Le;
        if (Looks(head, 2, littleEndian: false)) return Utf16Be;
        return null;

        static bool Looks(ReadOnlySpan<byte> head, int width, bool littleEndian)
        {
            var probe = head[..(Math.Min(head.Length, 64 * width) / width * width)];
            int ascii = 0, units = probe.Length / width;
            for (int i = 0; i < probe.Length; i += width)
            {
                var unit = probe.Slice(i, width);
                byte low = littleEndian ? unit[0] : unit[^1];
                var high = littleEndian ? unit[1..] : unit[..^1];
                bool highZero = high.IndexOfAnyExcept((byte)0) < 0;
                if (highZero && low == 0) return false;                                     // a NUL character
                if (width == 4 && (littleEndian ? unit[3] : unit[0]) != 0) return false;    // past U+10FFFF
                if (highZero && (low is >= 0x20 and < 0x7F or (byte)'\t' or (byte)'\n' or (byte)'\r')) ascii++;
            }
            // Mostly ASCII: wide text that holds credentials, not a table of 16-bit numbers.
            return units > 0 && ascii * 4 >= units * 3;
        }
    }

    /// <summary>
    /// Chooses the decoder for a stream from its first bytes: the BOM's encoding, else UTF-8 when the head is valid
    /// UTF-8 (ignoring a sequence cut at the end), else Latin-1, which maps every byte and never throws.
    /// </summary>
    public static Encoding Choose(ReadOnlySpan<byte> head, out int bomLength)
    {
        if (DetectBomEncoding(head, out bomLength) is { } bom) return bom;
        var probe = head;
        // A multi-byte sequence cut by the buffer end is not a sign of Latin-1.
        for (int back = 0; back < 3 && probe.Length > 0 && (probe[^1] & 0x80) != 0; back++)
        {
            if ((probe[^1] & 0xC0) == 0xC0) { probe = probe[..^1]; break; }
            probe = probe[..^1];
        }
        return Utf8.IsValid(probe) ? Utf8Lenient : Encoding.Latin1;
    }

    /// <summary>
    /// UTF-8 and Latin-1 text is scanned as bytes, one byte per character: widening is an order of magnitude faster
    /// than UTF-8 decoding, credentials are ASCII, and a multi-byte character can never look like one.
    /// </summary>
    public static bool ScanAsBytes(Encoding chosen) => ReferenceEquals(chosen, Utf8Lenient) || ReferenceEquals(chosen, Encoding.Latin1);

    /// <summary>UTF-8 that replaces invalid sequences instead of throwing.</summary>
    public static readonly Encoding Utf8Lenient = new UTF8Encoding(false, false);
}
