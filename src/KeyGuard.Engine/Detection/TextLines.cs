namespace KeyGuard.Detection;

/// <summary>Line boundaries a few lines from an offset, found by searching for newlines from it (no line table).</summary>
internal static class TextLines
{
    /// <summary>Start of the line <paramref name="back"/> lines before the one holding <paramref name="offset"/>.</summary>
    public static int StartBack(ReadOnlySpan<byte> text, int offset, int back)
    {
        int start = text[..offset].LastIndexOf((byte)'\n') + 1;
        for (int i = 0; i < back && start > 0; i++) start = text[..(start - 1)].LastIndexOf((byte)'\n') + 1;
        return start;
    }

    /// <summary>End (past its newline) of the line <paramref name="ahead"/> lines after the one holding <paramref name="offset"/>.</summary>
    public static int EndAhead(ReadOnlySpan<byte> text, int offset, int ahead)
    {
        int end = offset;
        for (int i = 0; i <= ahead; i++)
        {
            int nl = text[end..].IndexOf((byte)'\n');
            if (nl < 0) return text.Length;
            end += nl + 1;
        }
        return end;
    }
}
