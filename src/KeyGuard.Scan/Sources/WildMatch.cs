namespace KeyGuard.Sources;

/// <summary>
/// git's <c>wildmatch</c> (the glob matcher behind .gitignore, which libgit2 carries as the same code), on strings:
/// <c>*</c>, <c>?</c>, <c>[...]</c> with ranges, <c>!</c>/<c>^</c> and <c>[:class:]</c>, <c>\</c> escapes, and with
/// <paramref name="pathName"/> the <c>**</c> forms that cross directories.
/// </summary>
internal static class WildMatch
{
    private const int Match = 0, NoMatch = 1, AbortAll = -1, AbortToStarStar = -2;

    public static bool IsMatch(string pattern, ReadOnlySpan<char> text, bool pathName, bool ignoreCase) =>
        Do(pattern, 0, text, 0, pathName, ignoreCase) == Match;

    private static char Fold(char c, bool ignoreCase) => ignoreCase && c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;

    private static bool IsGlobSpecial(char c) => c is '*' or '?' or '[' or '\\';

    private static int Do(string pattern, int p, ReadOnlySpan<char> text, int t, bool pathName, bool ignoreCase)
    {
        for (; p < pattern.Length; t++, p++)
        {
            char pCh = pattern[p];
            if (t >= text.Length && pCh != '*') return AbortAll;
            char tCh = t < text.Length ? Fold(text[t], ignoreCase) : '\0';
            pCh = Fold(pCh, ignoreCase);
            switch (pCh)
            {
                case '\\':
                    // A trailing backslash matches nothing (the C code compares against the terminating NUL).
                    if (++p >= pattern.Length) return NoMatch;
                    if (tCh != pattern[p]) return NoMatch;
                    continue;
                default:
                    if (tCh != pCh) return NoMatch;
                    continue;
                case '?':
                    if (pathName && tCh == '/') return NoMatch;
                    continue;
                case '*':
                {
                    bool matchSlash;
                    if (++p < pattern.Length && pattern[p] == '*')
                    {
                        int prev = p - 2;
                        while (++p < pattern.Length && pattern[p] == '*') { }
                        if ((prev < 0 || pattern[prev] == '/')
                            && (p >= pattern.Length || pattern[p] == '/' || (pattern[p] == '\\' && p + 1 < pattern.Length && pattern[p + 1] == '/')))
                        {
                            // "<dir>/**/rest" also matches "<dir>/rest".
                            if (p < pattern.Length && pattern[p] == '/' && Do(pattern, p + 1, text, t, pathName, ignoreCase) == Match) return Match;
                            matchSlash = true;
                        }
                        else matchSlash = !pathName;
                    }
                    else matchSlash = !pathName;
                    if (p >= pattern.Length)
                    {
                        // Trailing "**" matches everything, a trailing "*" only what has no more slashes.
                        if (!matchSlash && text[t..].Contains('/')) return NoMatch;
                        return Match;
                    }
                    if (!matchSlash && pattern[p] == '/')
                    {
                        // One star then a slash: the rest of this directory name.
                        int slash = text[t..].IndexOf('/');
                        if (slash < 0) return NoMatch;
                        t += slash;
                        break;
                    }
                    while (true)
                    {
                        if (t >= text.Length) break;
                        if (!IsGlobSpecial(pattern[p]))
                        {
                            // A literal after the star: skip to where it occurs.
                            char literal = Fold(pattern[p], ignoreCase);
                            while (t < text.Length && (matchSlash || text[t] != '/'))
                            {
                                tCh = Fold(text[t], ignoreCase);
                                if (tCh == literal) break;
                                t++;
                            }
                            if (t >= text.Length || Fold(text[t], ignoreCase) != literal) return NoMatch;
                            tCh = Fold(text[t], ignoreCase);
                        }
                        int matched = Do(pattern, p, text, t, pathName, ignoreCase);
                        if (matched != NoMatch)
                        {
                            if (!matchSlash || matched != AbortToStarStar) return matched;
                        }
                        else if (!matchSlash && tCh == '/') return AbortToStarStar;
                        t++;
                        tCh = t < text.Length ? Fold(text[t], ignoreCase) : '\0';
                    }
                    return AbortAll;
                }
                case '[':
                {
                    if (++p >= pattern.Length) return AbortAll;
                    pCh = pattern[p];
                    if (pCh == '^') pCh = '!';
                    bool negated = pCh == '!';
                    if (negated)
                    {
                        if (++p >= pattern.Length) return AbortAll;
                        pCh = pattern[p];
                    }
                    char prevCh = '\0';
                    bool matched = false;
                    do
                    {
                        if (pCh == '\\')
                        {
                            if (++p >= pattern.Length) return AbortAll;
                            pCh = pattern[p];
                            if (tCh == pCh) matched = true;
                        }
                        else if (pCh == '-' && prevCh != '\0' && p + 1 < pattern.Length && pattern[p + 1] != ']')
                        {
                            pCh = pattern[++p];
                            if (pCh == '\\')
                            {
                                if (++p >= pattern.Length) return AbortAll;
                                pCh = pattern[p];
                            }
                            if (tCh <= pCh && tCh >= prevCh) matched = true;
                            else if (ignoreCase && tCh is >= 'a' and <= 'z' && (char)(tCh - 32) <= pCh && (char)(tCh - 32) >= prevCh) matched = true;
                            pCh = '\0';
                        }
                        else if (pCh == '[' && p + 1 < pattern.Length && pattern[p + 1] == ':')
                        {
                            int s = p += 2;
                            while (p < pattern.Length && pattern[p] != ']') p++;
                            if (p >= pattern.Length) return AbortAll;
                            int length = p - s - 1;
                            if (length < 0 || pattern[p - 1] != ':')
                            {
                                // No ":]": an ordinary '['.
                                p = s - 2;
                                pCh = '[';
                                if (tCh == pCh) matched = true;
                                goto next;
                            }
                            char c = t < text.Length ? text[t] : '\0';
                            switch (pattern.AsSpan(s, length))
                            {
                                case "alnum": if (char.IsAsciiLetterOrDigit(c)) matched = true; break;
                                case "alpha": if (char.IsAsciiLetter(c)) matched = true; break;
                                case "blank": if (c is ' ' or '\t') matched = true; break;
                                case "cntrl": if (char.IsControl(c) && c < 128) matched = true; break;
                                case "digit": if (char.IsAsciiDigit(c)) matched = true; break;
                                case "graph": if (c is > ' ' and < (char)127) matched = true; break;
                                case "lower": if (char.IsAsciiLetterLower(c) || (ignoreCase && char.IsAsciiLetterUpper(c))) matched = true; break;
                                case "print": if (c is >= ' ' and < (char)127) matched = true; break;
                                case "punct": if (c is > ' ' and < (char)127 && !char.IsAsciiLetterOrDigit(c)) matched = true; break;
                                case "space": if (c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v') matched = true; break;
                                case "upper": if (char.IsAsciiLetterUpper(c) || (ignoreCase && char.IsAsciiLetterLower(c))) matched = true; break;
                                case "xdigit": if (char.IsAsciiHexDigit(c)) matched = true; break;
                                default: return AbortAll;
                            }
                            pCh = '\0';
                        }
                        else if (tCh == pCh) matched = true;
                    next:
                        prevCh = pCh;
                        if (++p >= pattern.Length) return AbortAll;
                        pCh = pattern[p];
                    } while (pCh != ']');
                    if (matched == negated || (pathName && tCh == '/')) return NoMatch;
                    continue;
                }
            }
        }
        return t < text.Length ? NoMatch : Match;
    }
}
