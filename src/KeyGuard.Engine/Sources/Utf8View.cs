using System.Text;

namespace KeyGuard.Sources;

/// <summary>Helpers for UTF-8 text held one byte per character (see <see cref="TextDecoder.ScanAsBytes"/>).</summary>
internal static class Utf8View
{
    /// <summary>
    /// How many more bytes than UTF-16 code units a UTF-8 span has. Columns count UTF-16 code units, as SARIF's
    /// default column kind and editors do: continuation bytes (0x80–0xBF) add none, and a four-byte character
    /// (lead byte 0xF0–0xF7) is a surrogate pair, two units.
    /// </summary>
    public static int Continuations<T>(ReadOnlySpan<T> bytes) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        int n = 0;
        foreach (var unit in bytes)
        {
            uint c = uint.CreateTruncating(unit);
            if (c is >= 0x80 and <= 0xBF) n++;
            else if (c is >= 0xF0 and <= 0xF7) n--;
        }
        return n;
    }

    /// <summary>Turns a byte-per-character string back into real characters (only needed when it has non-ASCII).</summary>
    public static string Decode(string bytes)
    {
        foreach (var c in bytes)
            if (c >= '\u0080') return Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(bytes));
        return bytes;
    }
}
