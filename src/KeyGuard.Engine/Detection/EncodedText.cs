using System.Text;
using KeyGuard.Findings;
using KeyGuard.Sources;

namespace KeyGuard.Detection;

/// <summary>
/// The decoding stage: credentials written as <c>\uXXXX</c> escapes, HTML entities or base64 (standard, URL-safe,
/// JWT parts) are found by scanning a decoded copy of the lines around an encoded segment and reported where the
/// encoded text is, with the encoding named.
/// Encoded segments are found by the same keyword pass as everything else: <c>\u00</c>, <c>&amp;#</c> and the base64
/// forms of the key ID prefixes are keywords of a rule of their own (<see cref="Trigger"/>), so text without them
/// costs nothing more. Bounded: <see cref="MaxDepth"/> nested encodings, <see cref="MaxDecodedChars"/> decoded
/// characters per scanned text.
/// </summary>
internal static class EncodedText
{
    /// <summary>Nested encodings followed (base64 holding <c>\u</c> escapes is two).</summary>
    public const int MaxDepth = 2;
    /// <summary>Characters decoded per scanned text, at each depth.</summary>
    public const int MaxDecodedChars = 1 << 20;
    /// <summary>Lines of context decoded before and after a segment, for key names and pairing.</summary>
    private const int ContextLines = 5;
    /// <summary>Characters of context per side, however long the lines.</summary>
    private const int ContextChars = 8192;
    /// <summary>Characters of one base64 run followed from the keyword hit, per side.</summary>
    private const int MaxRunChars = 128 * 1024;

    private static readonly string[] KeyIdPrefixes = ["AKIA", "ASIA", "ABIA", "ACCA"];

    /// <summary>
    /// Literals that mark an encoded segment worth decoding: a <c>\u00</c> escape, the base64 of a key ID prefix, a
    /// numeric entity. Each is three characters or more (the keyword screen reads three: a shorter one would let
    /// any character through in the third place), and they start with few distinct characters (\, Q, F, B, &amp;),
    /// so the screen's buckets stay nearly as narrow as the rules' own.
    /// </summary>
    public static IReadOnlyList<string> TriggerKeywords { get; } =
        ["\\u00", .. KeyIdPrefixes.SelectMany(Base64Forms).Distinct(StringComparer.Ordinal), "&#x", "&#X", .. Enumerable.Range(1, 9).Select(d => $"&#{d}")];

    /// <summary>
    /// Not a detector: its windows say where encoded segments are. The engine hands them to <see cref="Scan"/>
    /// instead of running its regex; it is never in a <see cref="RuleSet"/>'s rules, so never listed or reported.
    /// </summary>
    public static Rule Trigger { get; } = new()
    {
        Id = "encoded-segment",
        Title = "encoded segment",
        Regex = new System.Text.RegularExpressions.Regex("(?!)"),
        Keywords = TriggerKeywords,
        Reach = 1,
    };

    /// <summary>
    /// Whether a trigger's window sits in a run long enough to hold a credential: base64 characters, escapes and
    /// entities, at least <see cref="MinEncodedRun"/> in a row. "Caf\u00e9" or "don&amp;#x27;t" in prose, which most
    /// escapes and entities in real files are, are not decoded at all.
    /// </summary>
    public static bool WorthDecoding<T>(ReadOnlySpan<T> text, int start, int end) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        int floor = Math.Max(0, start - MinEncodedRun * 6), ceiling = Math.Min(text.Length, end + MinEncodedRun * 6);
        int s = start, e = end;
        while (s > floor && InEncodedRun(uint.CreateTruncating(text[s - 1]))) s--;
        while (e < ceiling && InEncodedRun(uint.CreateTruncating(text[e]))) e++;
        return e - s >= MinEncodedRun && MayHideCredential(text[s..e]);
    }

    /// <summary>
    /// Whether the escapes and entities of a run could be hiding a credential's characters. A credential is made of
    /// base64 characters, so what counts is escapes of those: at least <see cref="MinEscapedCharacters"/> of them (a
    /// value written wholly or mostly escaped), or one of <c>+ / =</c> (encoders that escape only these, as .NET's
    /// JSON writer does <c>+</c>), or a plain run long enough for a key ID glued to an escape (<c>\u003eAKIA…</c>, which
    /// the plain scan's word boundary misses). What SDK service models are full of, escaped Unicode ranges in
    /// patterns (<c>\u0020-\uD7FF</c>) and escaped markup around names (<c>\u003ccode\u003eAccessKeyId</c>), is neither.
    /// A run without escapes or entities (a base64 trigger's) is decoded as before.
    /// </summary>
    private static bool MayHideCredential<T>(ReadOnlySpan<T> run) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        // The run as characters (the screen sees bytes), for the decoder's own reading of escapes and entities.
        Span<char> text = run.Length <= 512 ? stackalloc char[run.Length] : new char[run.Length];
        for (int i = 0; i < run.Length; i++) text[i] = (char)ushort.CreateTruncating(run[i]);
        int encoded = 0, escapedBase64 = 0, plain = 0, longestPlain = 0;
        for (int i = 0; i < text.Length;)
        {
            if (DecodedView.TryEscaped(text[i..], out char value, out int length))
            {
                encoded++;
                if (value is '+' or '/' or '=') return true;
                if (char.IsAsciiLetterOrDigit(value)) escapedBase64++;
                plain = 0;
                i += length;
                continue;
            }
            plain = char.IsAsciiLetterOrDigit(text[i]) || text[i] is '+' or '/' ? plain + 1 : 0;
            longestPlain = Math.Max(longestPlain, plain);
            i++;
        }
        return encoded == 0 || escapedBase64 >= MinEscapedCharacters || longestPlain >= MinGluedRun;
    }

    /// <summary>Escaped base64 characters that make a run worth decoding: fewer than a key ID's 20, more than markup has.</summary>
    private const int MinEscapedCharacters = 8;
    /// <summary>A plain run next to escapes that could be a key ID's 16-character body or more.</summary>
    private const int MinGluedRun = 16;

    /// <summary>The shortest run worth decoding: a key ID in base64 is 28 characters, escaped 120.</summary>
    private const int MinEncodedRun = 24;

    private static bool InEncodedRun(uint c) =>
        c < 128 && (char.IsAsciiLetterOrDigit((char)c) || c is '+' or '/' or '=' or '-' or '_' or '\\' or '&' or '#' or ';');

    /// <summary>
    /// The characters of the base64 encoding of <paramref name="word"/> that do not depend on its neighbours, at each
    /// of the three alignments a word can have in a base64 run (AKIA: QUtJQ, FLSU, BS0lB).
    /// </summary>
    internal static IEnumerable<string> Base64Forms(string word)
    {
        var bytes = Encoding.ASCII.GetBytes(word);
        for (int shift = 0; shift < 3; shift++)
        {
            var zeros = new byte[shift + bytes.Length + 2];
            var ones = Enumerable.Repeat((byte)0xFF, zeros.Length).ToArray();
            bytes.CopyTo(zeros, shift);
            bytes.CopyTo(ones, shift);
            string a = Convert.ToBase64String(zeros), b = Convert.ToBase64String(ones);
            // A character that depends on a neighbour's bits differs between all-zero and all-one neighbours.
            int bestStart = 0, bestLength = 0;
            for (int i = 0; i < a.Length;)
            {
                if (a[i] != b[i]) { i++; continue; }
                int j = i;
                while (j < a.Length && a[j] == b[j]) j++;
                if (j - i > bestLength) (bestStart, bestLength) = (i, j - i);
                i = j;
            }
            var form = a.Substring(bestStart, bestLength);
            yield return form;
            if (form.AsSpan().IndexOfAny('+', '/') >= 0) yield return form.Replace('+', '-').Replace('/', '_');
        }
    }

    /// <summary>
    /// Decodes the lines around each trigger window of <paramref name="text"/>, scans the decoded copies with
    /// <paramref name="engine"/> and appends what was found in encoded text, placed on the encoded text.
    /// </summary>
    /// <param name="plainFrom">Where the findings of the plain scan of this text start in <paramref name="output"/>:
    /// a finding the decoded copy repeats is theirs, and only its pairings are merged.</param>
    public static void Scan(TextScanner engine, ReadOnlySpan<char> text, TextPosition position, Provenance source,
        List<Finding> output, int plainFrom, List<(int Start, int End)> triggers, int depth)
    {
        int budget = MaxDecodedChars;
        foreach (var (start, end) in Regions(text, triggers))
        {
            if (budget <= 0) break;
            var view = DecodedView.Decode(text[start..Math.Min(end, start + budget)]);
            if (view is null) continue;
            budget -= view.Text.Length;
            var found = new List<Finding>();
            try { engine.Scan(view.Text, TextPosition.Start, source, found, null, depth); }
            catch (RuleTimeoutException) { /* user rules time out on the plain text first; the plain scan reports it */ }
            foreach (var f in found) Place(f, view, start, text, position, source, output, plainFrom);
        }
    }

    /// <summary>Trigger windows widened to whole lines with context, merged where they overlap.</summary>
    private static List<(int Start, int End)> Regions(ReadOnlySpan<char> text, List<(int Start, int End)> triggers)
    {
        var regions = new List<(int Start, int End)>();
        foreach (var (ws, we) in triggers.OrderBy(t => t.Start))
        {
            int s = RunStart(text, ws), e = RunEnd(text, we);
            s = LinesBefore(text, s);
            e = LinesAfter(text, e);
            if (regions.Count > 0 && s <= regions[^1].End) regions[^1] = (regions[^1].Start, Math.Max(regions[^1].End, e));
            else regions.Add((s, e));
        }
        return regions;
    }

    private static int RunStart(ReadOnlySpan<char> text, int i)
    {
        int floor = Math.Max(0, i - MaxRunChars);
        while (i > floor && DecodedView.IsBase64Char(text[i - 1])) i--;
        return i;
    }

    private static int RunEnd(ReadOnlySpan<char> text, int i)
    {
        int ceiling = Math.Min(text.Length, i + MaxRunChars);
        while (i < ceiling && (DecodedView.IsBase64Char(text[i]) || text[i] == '=')) i++;
        return i;
    }

    private static int LinesBefore(ReadOnlySpan<char> text, int i)
    {
        int floor = Math.Max(0, i - ContextChars);
        for (int line = 0; line <= ContextLines && i > floor; line++)
        {
            int nl = text[floor..i].LastIndexOf('\n');
            if (nl < 0) return floor;
            i = floor + nl;
        }
        return i == 0 ? 0 : i + 1;
    }

    private static int LinesAfter(ReadOnlySpan<char> text, int i)
    {
        int ceiling = Math.Min(text.Length, i + ContextChars);
        for (int line = 0; line <= ContextLines && i < ceiling; line++)
        {
            int nl = text[i..ceiling].IndexOf('\n');
            if (nl < 0) return ceiling;
            i += nl + 1;
        }
        return i;
    }

    /// <summary>
    /// A finding of the decoded copy, placed on the text it was decoded from. One made only of plain text that the
    /// plain scan found too is not repeated: its pairings with encoded findings go to the plain finding.
    /// </summary>
    private static void Place(Finding f, DecodedView view, int regionStart, ReadOnlySpan<char> text, TextPosition position,
        Provenance source, List<Finding> output, int plainFrom)
    {
        int viewStart = (int)f.Offset, viewEnd = viewStart + (f.EndColumn - f.Column);
        var encoding = view.EncodingOf(viewStart, viewEnd);
        int start = regionStart + view.SourceStart(viewStart), end = regionStart + view.SourceEnd(viewEnd);
        if (encoding is null && f.Encoding is null)
        {
            for (int i = plainFrom; i < output.Count; i++)
            {
                var plain = output[i];
                if (plain.Fingerprint != f.Fingerprint || plain.Offset != position.Offset + start) continue;
                foreach (var p in f.PairedWith) if (!plain.PairedWith.Contains(p)) plain.PairedWith.Add(p);
                return;
            }
            // Plain text the plain scan passed over, kept now that a decoded neighbour pairs with it.
        }
        encoding = encoding is null ? f.Encoding : f.Encoding is null ? encoding : encoding + "+" + f.Encoding;

        long abs = position.Offset + start;
        int before = text[..start].Count('\n');
        int lastNewline = text[..start].LastIndexOf('\n');
        long lineStart = lastNewline >= 0 ? position.Offset + lastNewline + 1 : position.LineStart;
        int column = (int)(abs - lineStart) + 1;
        int width = end - start;
        if (position.Utf8Bytes)
        {
            column -= Utf8View.Continuations(text[(lastNewline + 1)..start]) + (lastNewline < 0 ? position.Skew : 0);
            width -= Utf8View.Continuations(text[start..end]);
        }
        var placed = new Finding
        {
            RuleId = f.RuleId,
            RuleTitle = f.RuleTitle,
            Role = f.Role,
            Severity = f.Severity,
            Source = source,
            Line = position.Line + before,
            Column = column,
            EndColumn = column + width,
            Secret = f.Secret,
            Fingerprint = f.Fingerprint,
            Offset = abs,
            Encoding = encoding,
            KeyId = f.KeyId,
            Account = f.Account,
            KeyKind = f.KeyKind,
        };
        placed.PairedWith.AddRange(f.PairedWith);
        output.Add(placed);
    }
}

/// <summary>
/// A stretch of text with its encoded segments decoded, and for each decoded character the source characters it
/// came from and how they were encoded.
/// </summary>
internal sealed class DecodedView
{
    public string Text { get; private set; } = "";
    private readonly List<int> _from = [], _to = [];
    private readonly List<byte> _kind = [];

    private const byte Plain = 0, UnicodeEscape = 1, HtmlEntity = 2, Base64 = 3;
    private static readonly string[] Names = ["", "unicode-escape", "html-entity", "base64"];

    /// <summary>Where the source of view character <paramref name="viewIndex"/> starts (the source's end for the view's end).</summary>
    public int SourceStart(int viewIndex) => _from[viewIndex];
    /// <summary>Where the source of the view's characters before <paramref name="viewEnd"/> ends.</summary>
    public int SourceEnd(int viewEnd) => viewEnd == 0 ? 0 : _to[viewEnd - 1];

    /// <summary>The encodings of the characters in [start, end) in order of appearance, "+"-joined; null if all plain.</summary>
    public string? EncodingOf(int start, int end)
    {
        string? name = null;
        byte last = Plain;
        for (int i = start; i < end && i < _kind.Count; i++)
        {
            byte k = _kind[i];
            if (k == Plain || k == last) continue;
            if (name is null || !name.Split('+').Contains(Names[k])) name = name is null ? Names[k] : name + "+" + Names[k];
            last = k;
        }
        return name;
    }

    public static bool IsBase64Char(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '-' or '_';

    /// <summary>The decoded copy, or null when nothing in <paramref name="source"/> decodes.</summary>
    public static DecodedView? Decode(ReadOnlySpan<char> source)
    {
        var sb = new StringBuilder(source.Length);
        var view = new DecodedView();
        bool decoded = false;
        void Add(char c, int from, int to, byte kind)
        {
            sb.Append(c);
            view._from.Add(from);
            view._to.Add(to);
            view._kind.Add(kind);
        }
        byte[]? bytes = null;
        int i = 0;
        while (i < source.Length)
        {
            char c = source[i];
            if (TryEscaped(source[i..], out char ch, out int length))
            {
                Add(ch, i, i + length, c == '\\' ? UnicodeEscape : HtmlEntity);
                decoded = true;
                i += length;
                continue;
            }
            if (IsBase64Char(c) && (i == 0 || !IsBase64Char(source[i - 1])))
            {
                int end = i;
                while (end < source.Length && IsBase64Char(source[end])) end++;
                int padded = end;
                while (padded < source.Length && padded - end < 2 && source[padded] == '=') padded++;
                if (end - i >= MinRun && TryBase64(source[i..end], ref bytes, out int n) && LooksLikeText(bytes.AsSpan(0, n)))
                {
                    for (int b = 0; b < n; b++)
                    {
                        // Byte b of the decoded run comes from characters 4(b/3)+(b%3) and the next one.
                        int from = i + 4 * (b / 3) + b % 3;
                        Add((char)bytes![b], from, Math.Min(padded, from + 2), Base64);
                    }
                    decoded = true;
                    i = padded;
                    continue;
                }
                for (; i < end; i++) Add(source[i], i, i + 1, Plain);
                continue;
            }
            Add(c, i, i + 1, Plain);
            i++;
        }
        if (!decoded) return null;
        view._from.Add(source.Length);
        view._to.Add(source.Length);
        view.Text = sb.ToString();
        return view;
    }

    /// <summary>The shortest base64 run decoded: a key ID alone is 28 characters.</summary>
    private const int MinRun = 24;

    /// <summary>A <c>\\uXXXX</c> escape or an HTML entity at the start of <paramref name="s"/>: the character it stands for
    /// and its length. The decoder reads them so, and the decoding gate counts them so.</summary>
    internal static bool TryEscaped(ReadOnlySpan<char> s, out char c, out int length)
    {
        if (s.Length >= 6 && s[0] == '\\' && s[1] is 'u' or 'U' && TryHex(s.Slice(2, 4), out int code))
        {
            (c, length) = ((char)code, 6);
            return true;
        }
        if (s.Length > 0 && s[0] == '&') return TryEntity(s, out c, out length);
        (c, length) = (default, 0);
        return false;
    }

    private static bool TryHex(ReadOnlySpan<char> hex, out int value) =>
        int.TryParse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out value);

    /// <summary>The named entities an HTML or XML escaper writes for ASCII, and the ones for base64's + / =.</summary>
    private static readonly (string Name, char Char)[] NamedEntities =
        [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&apos;", '\''), ("&sol;", '/'), ("&plus;", '+'),
         ("&equals;", '='), ("&colon;", ':'), ("&comma;", ','), ("&period;", '.'), ("&lowbar;", '_'), ("&hyphen;", '-')];

    private static bool TryEntity(ReadOnlySpan<char> s, out char c, out int length)
    {
        c = default;
        length = 0;
        if (s.Length >= 4 && s[1] == '#')
        {
            bool hex = s[2] is 'x' or 'X';
            int digits = hex ? 3 : 2, stop = Math.Min(s.Length, digits + 7);
            int semi = s[digits..stop].IndexOf(';');
            if (semi <= 0) return false;
            var number = s.Slice(digits, semi);
            var style = hex ? System.Globalization.NumberStyles.AllowHexSpecifier : System.Globalization.NumberStyles.None;
            if (!int.TryParse(number, style, System.Globalization.CultureInfo.InvariantCulture, out int code) || code is <= 0 or > 0xFFFF) return false;
            c = (char)code;
            length = digits + semi + 1;
            return true;
        }
        foreach (var (name, ch) in NamedEntities)
            if (s.StartsWith(name, StringComparison.Ordinal)) { c = ch; length = name.Length; return true; }
        return false;
    }

    /// <summary>Standard or URL-safe base64, padded or not (JWT parts are not); never both alphabets at once.</summary>
    private static bool TryBase64(ReadOnlySpan<char> run, ref byte[]? bytes, out int written)
    {
        written = 0;
        if (run.Length % 4 == 1) return false;
        bool standard = run.IndexOfAny('+', '/') >= 0, urlSafe = run.IndexOfAny('-', '_') >= 0;
        if (standard && urlSafe) return false;
        int padding = (4 - run.Length % 4) % 4;
        Span<char> buffer = run.Length + padding <= 1024 ? stackalloc char[run.Length + padding] : new char[run.Length + padding];
        run.CopyTo(buffer);
        buffer[run.Length..].Fill('=');
        if (urlSafe)
            for (int i = 0; i < run.Length; i++) buffer[i] = buffer[i] switch { '-' => '+', '_' => '/', var x => x };
        int max = buffer.Length / 4 * 3;
        if (bytes is null || bytes.Length < max) bytes = new byte[Math.Max(max, 256)];
        return Convert.TryFromBase64Chars(buffer, bytes, out written);
    }

    /// <summary>Printable ASCII, tabs and line breaks, and nothing else: what a key pair, a JSON or a config is.
    /// Random bytes pass this for 20 bytes about once in a billion.</summary>
    private static bool LooksLikeText(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8) return false;
        foreach (var b in bytes)
            if (b is < 0x20 and not (0x09 or 0x0A or 0x0D) || b >= 0x7F) return false;
        return true;
    }
}
