namespace KeyGuard.Detection;

internal static class Entropy
{
    /// <summary>Shannon entropy in bits per character.</summary>
    public static double Shannon(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return 0;
        Span<int> counts = stackalloc int[128];
        counts.Clear();
        int other = 0;
        foreach (var c in s) { if (c < 128) counts[c]++; else other++; }
        double h = 0, n = s.Length;
        foreach (var k in counts) if (k > 0) { double p = k / n; h -= p * Math.Log2(p); }
        if (other > 0) { double p = other / n; h -= p * Math.Log2(p); }
        return h;
    }

    public static bool IsHex(ReadOnlySpan<char> s) => s.IndexOfAnyExcept(HexDigits) < 0;

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}
