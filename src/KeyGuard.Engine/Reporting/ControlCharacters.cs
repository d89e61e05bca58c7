using System.Globalization;
using System.Text;

namespace KeyGuard.Reporting;

/// <summary>
/// File names, commit authors and ref names come from the scanned repository. Before they reach a terminal (text
/// report, stderr, hook output) or a Markdown/HTML page, their control characters are written as visible escapes:
/// an ESC must not drive the terminal, and a CR or LF must not start a line of its own that reads like a finding.
/// </summary>
internal static class ControlCharacters
{
    /// <summary>
    /// <paramref name="text"/> with every C0 control, DEL and C1 control written as <c>\n</c>, <c>\r</c>, <c>\t</c>,
    /// <c>\xNN</c> or <c>\uNNNN</c> (C1). Text without any is returned as it is.
    /// </summary>
    public static string Escape(string text)
    {
        int first = IndexOfControl(text);
        if (first < 0) return text;
        var sb = new StringBuilder(text.Length + 8);
        sb.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!IsControl(c)) { sb.Append(c); continue; }
            sb.Append(c switch
            {
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                < '\u0080' => @"\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => @"\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }
        return sb.ToString();
    }

    private static bool IsControl(char c) => c < '\u0020' || (c >= '\u007f' && c <= '\u009f');

    private static int IndexOfControl(string text)
    {
        for (int i = 0; i < text.Length; i++) if (IsControl(text[i])) return i;
        return -1;
    }
}
