using System.Text;
using System.Text.Unicode;

namespace KeyGuard.Sources;

/// <summary>
/// Turns raw bytes into text the detectors can read. UTF-16 files (by BOM) and Latin-1 bytes are decoded rather
/// than skipped, because secrets hide in Windows config files too; a NUL byte anywhere in the sniffed prefix marks
/// the file as binary.
/// </summary>
public static class TextDecoder
{
    /// <summary>How many leading bytes decide whether a file is binary.</summary>
    public const int SniffLength = 8192;

    public static bool LooksBinary(ReadOnlySpan<byte> head)
    {
        if (DetectBomEncoding(head, out _) is { } enc && enc is UnicodeEncoding) return false;
        return head[..Math.Min(head.Length, SniffLength)].IndexOf((byte)0) >= 0;
    }

    /// <summary>Returns the encoding a byte-order mark names, with the mark's length; null without one.</summary>
    public static Encoding? DetectBomEncoding(ReadOnlySpan<byte> head, out int bomLength)
    {
        bomLength = 0;
        if (head.Length >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) { bomLength = 3; return new UTF8Encoding(false); }
        if (head.Length >= 2 && head[0] == 0xFF && head[1] == 0xFE) { bomLength = 2; return new UnicodeEncoding(false, false); }
        if (head.Length >= 2 && head[0] == 0xFE && head[1] == 0xFF) { bomLength = 2; return new UnicodeEncoding(true, false); }
        return null;
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
