namespace KeyGuard.Detection.Detectors;

/// <summary>Text helpers the AWS secret and session-token validations share.</summary>
internal static class CredentialText
{
    /// <summary>Secrets in URLs and form bodies arrive as %2F, %2B and %3D.</summary>
    public static string UrlDecodeBase64(string s) =>
        s.Contains('%') ? s.Replace("%2F", "/").Replace("%2f", "/").Replace("%2B", "+").Replace("%2b", "+").Replace("%3D", "=").Replace("%3d", "=") : s;

    /// <summary>Whether <paramref name="word"/> occurs (any case) in the <paramref name="reach"/> characters before <paramref name="index"/>.</summary>
    public static bool HasContextBefore(ReadOnlySpan<char> text, int index, int reach, string word)
    {
        int from = Math.Max(0, index - reach);
        return text[from..index].Contains(word, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The key name a value at <paramref name="index"/> is assigned to on its line: the name before <c>=</c>, <c>:</c>
    /// or <c>=&gt;</c> (quotes and spaces skipped), the element of <c>&lt;name&gt;value</c>; "" for a value with no name
    /// (first on its line, or after <c>,</c> <c>(</c> <c>[</c>: an argument or a CSV field); null for anything else
    /// (a data URI's <c>base64,</c>, text in a sentence).
    /// </summary>
    public static string? KeyNameBefore(ReadOnlySpan<char> text, int index)
    {
        int i = index;
        while (i > 0 && text[i - 1] is '"' or '\'' or ' ' or '\t') i--;
        if (i == 0 || text[i - 1] is '\n' or '\r') return "";
        char c = text[i - 1];
        if (c is ',' or '(' or '[')
            return text[..(i - 1)].EndsWith("base64", StringComparison.OrdinalIgnoreCase) ? null : "";
        if (c == '>')
        {
            int open = text[..(i - 1)].LastIndexOf('<');
            if (open < 0 || i - 1 - open > 64) return null;
            var tag = text[(open + 1)..(i - 1)];
            int space = tag.IndexOfAny(' ', '\t');
            return (space < 0 ? tag : tag[..space]).ToString();
        }
        if (c is not ('=' or ':')) return null;
        i--;
        while (i > 0 && text[i - 1] is '=' or ':' or '"' or '\'' or ' ' or '\t') i--;
        int end = i;
        while (i > 0 && end - i < 64 && (char.IsAsciiLetterOrDigit(text[i - 1]) || text[i - 1] is '_' or '-' or '.')) i--;
        return text[i..end].ToString();
    }
}
