using System.Text;

namespace KeyGuard.Hooks;

/// <summary>
/// Translates the POSIX extended regexes git-secrets keeps in git config (it runs them with <c>git grep -E -w</c>)
/// into .NET syntax: character classes such as <c>[[:alnum:]]</c>, word anchors <c>\&lt;</c> <c>\&gt;</c>,
/// a backslash inside brackets (a literal in POSIX), and -w's whole-word matching.
/// </summary>
internal static class PosixRegex
{
    private static readonly Dictionary<string, string> Classes = new(StringComparer.Ordinal)
    {
        ["alnum"] = "a-zA-Z0-9", ["alpha"] = "a-zA-Z", ["digit"] = "0-9", ["upper"] = "A-Z", ["lower"] = "a-z",
        ["xdigit"] = "0-9A-Fa-f", ["space"] = @" \t\r\n\f\v", ["blank"] = @" \t", ["punct"] = @"!-/:-@\[-`{-~",
        ["word"] = "a-zA-Z0-9_", ["cntrl"] = @"\x00-\x1f\x7f", ["print"] = @"\x20-\x7e", ["graph"] = @"\x21-\x7e",
    };

    /// <summary>The .NET pattern; <paramref name="wholeWord"/> mimics grep -w.</summary>
    public static string ToDotNet(string ere, bool wholeWord = false)
    {
        var sb = new StringBuilder(ere.Length + 16);
        for (int i = 0; i < ere.Length; i++)
        {
            char c = ere[i];
            if (c == '\\' && i + 1 < ere.Length)
            {
                char next = ere[++i];
                sb.Append(next is '<' or '>' ? @"\b" : "\\" + next);
            }
            else if (c == '[') i = Bracket(ere, i, sb);
            else sb.Append(c);
        }
        return wholeWord ? $@"(?<![A-Za-z0-9_])(?:{sb})(?![A-Za-z0-9_])" : sb.ToString();
    }

    /// <summary>Copies a bracket expression starting at <paramref name="start"/>; returns the index of its closing ']'.</summary>
    private static int Bracket(string ere, int start, StringBuilder sb)
    {
        int i = start + 1;
        sb.Append('[');
        if (i < ere.Length && ere[i] == '^') { sb.Append('^'); i++; }
        if (i < ere.Length && ere[i] == ']') { sb.Append(@"\]"); i++; }   // a leading ']' is a literal
        for (; i < ere.Length; i++)
        {
            char c = ere[i];
            if (c == ']') { sb.Append(']'); return i; }
            if (c == '[' && i + 1 < ere.Length && ere[i + 1] == ':')
            {
                int end = ere.IndexOf(":]", i + 2, StringComparison.Ordinal);
                if (end > 0 && Classes.TryGetValue(ere[(i + 2)..end], out var expansion)) { sb.Append(expansion); i = end + 1; continue; }
            }
            sb.Append(c is '\\' or '[' ? "\\" + c : c.ToString());
        }
        throw new ArgumentException("unterminated bracket expression");
    }
}
