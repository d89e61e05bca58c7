using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using KeyGuard.Detection.Detectors;
using KeyGuard.Findings;
using KeyGuard.Sources;

namespace KeyGuard.Detection;

/// <summary>Where a piece of text sits in its source, so hits get absolute lines and columns.</summary>
/// <param name="Offset">Absolute character offset of the text's first character.</param>
/// <param name="Line">1-based line of the text's first character.</param>
/// <param name="LineStart">Absolute offset where that line starts (it may begin in an earlier chunk).</param>
/// <param name="Utf8Bytes">The text is UTF-8 bytes seen one byte per character (a Latin-1 view): columns count
/// characters, so continuation bytes are not counted, and non-ASCII secrets are decoded.</param>
/// <param name="Skew">Continuation bytes between <paramref name="LineStart"/> and the text's start.</param>
internal readonly record struct TextPosition(long Offset, int Line, long LineStart, bool Utf8Bytes = false, int Skew = 0)
{
    public static readonly TextPosition Start = new(0, 1, 0);
}

/// <summary>
/// The engine: keyword prefilter → rule regexes in windows around hits → validators → pairing → findings.
/// Stateless and thread-safe; one instance serves every file of a scan.
/// </summary>
internal sealed class TextScanner(RuleSet rules)
{
    /// <summary>Marker that suppresses findings on its line.</summary>
    public const string AllowMarker = "keyguard:allow";

    public RuleSet Rules { get; } = rules;

    /// <summary>The shortest base64 run any rule needs (0: none does).</summary>
    private readonly int _shortestRun = rules.Rules.Where(r => r.MinRun > 0).Select(r => r.MinRun).DefaultIfEmpty(0).Min();

    private sealed class Candidate
    {
        public required Rule Rule;
        public required int Index;   // in text
        public required int Length;
        public required string Secret;
        public bool NeedsPair;
        public int Line;
        public long LineStart;
        public Finding? Finding;
    }

    /// <summary>
    /// Could any rule match these single-byte-encoded bytes? False when no rule has a window worth a regex: every
    /// rule needs a keyword and none occurs, or no keyword has the long base64 run its rule needs nearby. Such
    /// content (most files) is never decoded.
    /// </summary>
    public bool MayMatch(ReadOnlySpan<byte> bytes) => WindowsToMatch(bytes) != null;

    /// <summary>
    /// The windows (per rule, merged) where rule regexes must run on these bytes seen one byte per character, as
    /// UTF-8 and Latin-1 text are scanned: the same windows <see cref="Windows{T}"/> finds on the decoded
    /// characters, already stripped of those without the base64 run their rule needs. Null when none is left.
    /// Passing them to <see cref="Scan(ReadOnlySpan{char}, TextPosition, Provenance, List{Finding}, WindowList?)"/>
    /// spares a second keyword search over the decoded text.
    /// </summary>
    public WindowList? WindowsToMatch(ReadOnlySpan<byte> bytes)
    {
        RunIndex? runs = null;
        try { return WindowsToMatch(bytes, ref runs); }
        finally { if (runs != null) RunIndex.Return(runs); }
    }

    private WindowList? WindowsToMatch(ReadOnlySpan<byte> bytes, ref RunIndex? runs)
    {
        var windows = Windows(bytes, Rules.HasRunKeywords ? DenseHits : int.MaxValue);
        if (windows == null)
        {
            runs = Classified(bytes, Rules.AlwaysKeywords);
            windows = RunsFirstWindows(bytes, runs);
        }
        // Windows that cover less than half the text are checked on their own; past that (text where keywords are
        // everywhere), the text's runs are found once, and each window is a lookup.
        long toCheck = 0;
        foreach (var w in windows) if (w.Rule.MinRun > 0) toCheck += w.End - w.Start;
        if (runs == null && toCheck > bytes.Length / 2 && _shortestRun > 0) runs = Classified(bytes, screen: null);
        int kept = 0;
        for (int i = 0; i < windows.Count; i++)
        {
            var w = windows[i];
            bool keep = ReferenceEquals(w.Rule, EncodedText.Trigger) ? EncodedText.WorthDecoding(bytes, w.Start, w.End)
                : w.Rule.MinRun == 0 || (runs?.HasRun(w.Start, w.End, w.Rule.MinRun, Rules.RunBit(w.Rule)) ?? HasRun(bytes[w.Start..w.End], w.Rule.MinRun));
            if (keep) windows[kept++] = w;
        }
        if (kept == 0) return null;
        windows.RemoveRange(kept, windows.Count - kept);
        return new WindowList(windows);
    }

    /// <summary>The runs of <paramref name="bytes"/> any rule needs, each marked with the rules it may serve; the
    /// <paramref name="screen"/>'s keywords screened in the same pass.</summary>
    private RunIndex Classified(ReadOnlySpan<byte> bytes, KeywordFinder? screen)
    {
        var runs = RunIndex.Rent(bytes, Math.Min(_shortestRun, 64), screen);
        runs.Classify(bytes, Rules);
        return runs;
    }

    /// <summary>Windows found on bytes for <see cref="Scan(ReadOnlySpan{char}, TextPosition, Provenance, List{Finding}, WindowList?)"/>.</summary>
    public sealed class WindowList
    {
        internal WindowList(List<(Rule Rule, int Start, int End)> windows) => Windows = windows;
        internal List<(Rule Rule, int Start, int End)> Windows { get; }

        /// <summary>Where the first window starts and the last one ends.</summary>
        internal (int Start, int End) Extent => (Windows.Min(w => w.Start), Windows.Max(w => w.End));

        /// <summary>The same windows in a text that starts <paramref name="offset"/> characters later.</summary>
        internal void Rebase(int offset)
        {
            for (int i = 0; i < Windows.Count; i++) Windows[i] = (Windows[i].Rule, Windows[i].Start - offset, Windows[i].End - offset);
        }
    }

    /// <summary>Scans <paramref name="text"/> and appends findings. Returns how many were suppressed inline.</summary>
    public int Scan(string text, TextPosition position, Provenance source, List<Finding> output) =>
        Scan(text.AsSpan(), position, source, output);

    /// <summary>Scans a span (a reused buffer: scanning allocates nothing per file but for hits).</summary>
    /// <param name="windows">From <see cref="WindowsToMatch"/> on the bytes this text is the Latin-1 view of; null
    /// to find them here.</param>
    /// <exception cref="RuleTimeoutException">A user rule timed out; every other rule's findings are in
    /// <paramref name="output"/> by then.</exception>
    public int Scan(ReadOnlySpan<char> text, TextPosition position, Provenance source, List<Finding> output, WindowList? windows = null) =>
        Scan(text, position, source, output, windows, depth: 0);

    /// <param name="depth">Encodings already decoded to get this text (<see cref="EncodedText"/>).</param>
    internal int Scan(ReadOnlySpan<char> text, TextPosition position, Provenance source, List<Finding> output, WindowList? windows, int depth)
    {
        var candidates = new List<Candidate>();
        List<(int Start, int End)>? encoded = null;
        RuleTimeoutException? timedOut = null;
        foreach (var (rule, start, end) in windows?.Windows ?? Windows(text))
        {
            if (ReferenceEquals(rule, EncodedText.Trigger))
            {
                // Windows found on bytes were checked there.
                if (windows != null || EncodedText.WorthDecoding(text, start, end)) (encoded ??= []).Add((start, end));
                continue;
            }
            // One slow rule must not cost the file the others' findings: it is skipped and reported at the end.
            if (timedOut != null && timedOut.TimedOut(rule)) continue;
            try { MatchWindow(rule, text, start, end, candidates, checkedRuns: windows != null); }
            catch (RuleTimeoutException e) { timedOut = timedOut?.With(rule) ?? e; }
        }
        int plainFrom = output.Count;
        int suppressed = candidates.Count == 0 ? 0 : Report(text, position, source, output, candidates);
        if (encoded != null && depth < EncodedText.MaxDepth) EncodedText.Scan(this, text, position, source, output, plainFrom, encoded, depth + 1);
        if (timedOut != null) throw timedOut;
        return suppressed;
    }

    private static int Report(ReadOnlySpan<char> text, TextPosition position, Provenance source, List<Finding> output, List<Candidate> candidates)
    {
        candidates.Sort((a, b) => a.Index != b.Index ? a.Index.CompareTo(b.Index) : string.CompareOrdinal(a.Rule.Id, b.Rule.Id));
        Locate(text, position, candidates);
        Pair(candidates);

        int suppressed = 0;
        foreach (var c in candidates)
        {
            if (c.NeedsPair) continue;
            if (OnAllowedLine(text, c.Index)) { suppressed++; continue; }
            long abs = position.Offset + c.Index;
            int column = (int)(abs - c.LineStart) + 1;
            int width = c.Length;
            var secret = c.Secret;
            if (position.Utf8Bytes)
            {
                long lineInText = c.LineStart - position.Offset;
                column -= Utf8View.Continuations(text[(int)Math.Max(0, lineInText)..c.Index])
                          + (lineInText < 0 ? position.Skew : 0);
                width -= Utf8View.Continuations(text.Slice(c.Index, c.Length));
                secret = Utf8View.Decode(secret);
            }
            c.Finding = new Finding
            {
                RuleId = c.Rule.Id,
                RuleTitle = c.Rule.Title,
                Role = c.Rule.FindingRole,
                Severity = c.Rule.Severity,
                Source = source,
                Line = c.Line,
                Column = column,
                EndColumn = column + width,
                Secret = secret,
                Fingerprint = Redaction.Fingerprint(c.Rule.Id, secret),
                Offset = abs,
            };
            if (c.Rule.Role == CredentialRole.KeyId) AwsAccessKeyId.Describe(c.Finding, c.Secret);
        }
        LinkPairs(candidates);
        foreach (var c in candidates) if (c.Finding != null) output.Add(c.Finding);
        return suppressed;
    }

    /// <summary>Keyword hits in a text (of bytes) past which its windows are found from its runs instead, when
    /// they came at least one per <see cref="DenseBytes"/> bytes.</summary>
    internal const int DenseHits = 8;
    internal const int DenseBytes = 256;

    private List<(Rule Rule, int Start, int End)> Windows<T>(ReadOnlySpan<T> text) where T : unmanaged, IBinaryInteger<T> =>
        Windows(text, int.MaxValue)!;

    /// <summary>
    /// Yields, per rule, merged windows around keyword hits. Rules without keywords get the whole text. Null when
    /// there are more than <paramref name="hitLimit"/> hits: keywords are everywhere, and the caller asks
    /// <see cref="RunsFirstWindows"/> instead.
    /// </summary>
    private List<(Rule Rule, int Start, int End)>? Windows<T>(ReadOnlySpan<T> text, int hitLimit) where T : unmanaged, IBinaryInteger<T>
    {
        // Most files hold no keyword at all: one vectorised pass, and nothing is allocated.
        var keywords = Rules.Keywords;
        int first = keywords is null ? -1 : IndexOfAny(keywords, text, 0);
        if (first < 0 && Rules.Unfiltered.Count == 0) return NoWindows;
        // Keywords closer than one per DenseBytes (configuration, SDK code) on average: runs first, decided before any
        // window is opened. Sparser hits (an SDK model's NextToken every few lines) cost less than a pass for runs.
        if (first >= 0 && hitLimit < int.MaxValue && (long)hitLimit * DenseBytes < text.Length)
        {
            int hits = 1, hit = first;
            while (hits < hitLimit && (hit = IndexOfAny(keywords!, text, hit + 1)) >= 0 && hit < (long)hitLimit * DenseBytes) hits++;
            if (hits == hitLimit) return null;
        }
        var windows = new List<(Rule, int, int)>();
        foreach (var rule in Rules.Unfiltered) windows.Add((rule, 0, text.Length));
        if (first < 0) return windows;

        // Each rule's window still open, by the rule's position (Start -1: none yet).
        Span<(int Start, int End)> open = Rules.Slots <= 64 ? stackalloc (int, int)[Rules.Slots] : new (int, int)[Rules.Slots];
        open.Fill((-1, -1));
        int pos = first;
        while (pos < text.Length)
        {
            int hit = IndexOfAny(keywords!, text, pos);
            if (hit < 0) break;
            Open(text, hit, keywords!, Rules.KeywordRules, open, windows);
            pos = hit + 1;
        }
        Close(open, windows);
        return windows;
    }

    /// <summary>
    /// The runs-first screen, for text where keywords are everywhere (configuration, SDK code): the cost of finding
    /// windows no longer grows with the number of keyword hits. The runs of base64 characters are found first
    /// (<paramref name="runs"/>, one vectorised pass); keywords whose rules all need a run are looked for only in the
    /// regions around runs long enough, from where a keyword's window could hold the run; the others (key ID
    /// prefixes, escapes) everywhere, as they are rare. A window with no run would be dropped anyway
    /// (<see cref="WindowsToMatch"/>); one that holds a run is opened from the same hits as before.
    /// </summary>
    private List<(Rule Rule, int Start, int End)> RunsFirstWindows(ReadOnlySpan<byte> text, RunIndex runs)
    {
        var regions = RunRegions(text, runs);
        var windows = new List<(Rule, int, int)>();
        foreach (var rule in Rules.Unfiltered) windows.Add((rule, 0, text.Length));
        Span<(int Start, int End)> open = Rules.Slots <= 64 ? stackalloc (int, int)[Rules.Slots] : new (int, int)[Rules.Slots];
        open.Fill((-1, -1));
        var always = Rules.AlwaysKeywords;
        int region = 0, screened = 0;
        // The always-keywords were screened in the runs' pass.
        int a = always == null ? -1 : runs.NextScreened(text, 0, ref screened);
        int b = NextNearRun(text, regions, ref region, 0);
        // Hits in order, from both searches: each rule's windows are merged as they come.
        while (a >= 0 || b >= 0)
        {
            if (b < 0 || a >= 0 && a <= b)
            {
                Open(text, a, always!, Rules.AlwaysKeywordRules, open, windows);
                a = a + 1 < text.Length ? runs.NextScreened(text, a + 1, ref screened) : -1;
            }
            else
            {
                var screen = regions[region].Screen;
                Open(text, b, screen.Finder, screen.Table, open, windows);
                b = NextNearRun(text, regions, ref region, b + 1);
            }
        }
        Close(open, windows);
        return windows;
    }

    /// <summary>Where a hit of a keyword looked for only around runs can open a window holding a run one of its rules may
    /// use: merged ranges of hit positions, ascending, each with what to look for there.</summary>
    private List<(int Start, int End, NearRunScreen Screen)> RunRegions(ReadOnlySpan<byte> text, RunIndex runs)
    {
        var regions = new List<(int Start, int End, NearRunScreen Screen)>();
        ulong regionMask = 0, near = Rules.NearRunMask, lastMask = 0, known = 0;
        NearRunScreen screen = null!;
        var all = runs.Runs;
        for (int r = 0; r < all.Length; r++)
        {
            ulong mask = runs.Mask(r) & near;
            // A rule none of whose keywords occurs in the text opens no window from them: its runs need no region
            // (an SSO token's "accessToken" is looked for once, not around every blob).
            for (ulong unknown = mask & ~known; unknown != 0; unknown &= unknown - 1)
            {
                ulong bit = unknown & (~unknown + 1);
                known |= bit;
                if (Rules.ScreenFor(bit).Finder.IndexOfAny(text, 0) < 0) near &= ~bit;
            }
            mask &= near;
            if (mask == 0) continue;
            var (runStart, runEnd) = all[r];
            // Runs of a kind come together (a file of hashes, of blobs): the last screen is usually this one.
            if (mask != lastMask) (screen, lastMask) = (Rules.ScreenFor(mask), mask);
            // A window reaches a whole token: a hit anywhere in the run's token, or reaching into it, holds the run.
            int tokenStart = TokenBoundaryBefore(text, runStart), tokenEnd = TokenBoundaryAfter(text, runEnd);
            int start = Math.Max(0, tokenStart - screen.ReachBack), end = tokenEnd;
            // A window to the end of the hit's line holds the run only from a hit on the run's line.
            if (screen.LineReachBack > 0)
                start = Math.Min(start, Math.Max(text[..tokenStart].LastIndexOf((byte)'\n') + 1, tokenStart - screen.LineReachBack));
            if (screen.LinesBack > 0 || screen.LinesAhead > 0)
            {
                start = Math.Min(start, TextLines.StartBack(text, tokenStart, screen.LinesBack));
                end = Math.Max(end, TextLines.EndAhead(text, Math.Max(tokenStart, tokenEnd - 1), screen.LinesAhead));
            }
            if (regions.Count > 0 && start <= regions[^1].End)
            {
                var merged = regionMask | mask;
                regions[^1] = (regions[^1].Start, Math.Max(end, regions[^1].End), merged == regionMask ? regions[^1].Screen : Rules.ScreenFor(merged));
                regionMask = merged;
            }
            else
            {
                regionMask = mask;
                regions.Add((start, end, screen!));
            }
        }
        return regions;
    }

    /// <summary>The next hit of its region's keywords at or after <paramref name="from"/> that starts inside a region,
    /// or -1.</summary>
    private static int NextNearRun(ReadOnlySpan<byte> text, List<(int Start, int End, NearRunScreen Screen)> regions, ref int region, int from)
    {
        for (; region < regions.Count; region++)
        {
            var (start, end, screen) = regions[region];
            int at = Math.Max(from, start);
            if (at >= end) continue;
            // A keyword starting inside the region may end past it.
            int hit = screen.Finder.IndexOfAny(text[..Math.Min(text.Length, end + screen.LongestKeyword)], at);
            if (hit >= 0 && hit < end) return hit;
        }
        return -1;
    }

    /// <summary>Opens (or widens) the windows of every rule of every keyword that starts at <paramref name="hit"/>.</summary>
    private static void Open<T>(ReadOnlySpan<T> text, int hit, KeywordFinder keywords,
                                IReadOnlyList<(string Keyword, (Rule Rule, bool Pairing, int Index)[] Rules)> table,
                                Span<(int Start, int End)> open, List<(Rule, int, int)> windows) where T : unmanaged, IBinaryInteger<T>
    {
        foreach (int k in keywords.StartingWith(uint.CreateTruncating(text[hit])))
        {
            if (!keywords.Matches(text, hit, k)) continue;
            foreach (var (rule, pairing, index) in table[k].Rules)
            {
                var (ws, we) = pairing ? LinesAround(text, hit, rule) : Reach(text, hit, rule);
                ref var w = ref open[index];
                if (w.Start >= 0)
                {
                    // A pair keyword's window reaches lines back, before the open window's start: it widens that way too.
                    if (ws <= w.End) { w = (Math.Min(w.Start, ws), Math.Max(w.End, we)); continue; }
                    windows.Add((rule, w.Start, w.End));
                }
                w = (ws, we);
            }
        }
    }

    private void Close(Span<(int Start, int End)> open, List<(Rule, int, int)> windows)
    {
        for (int i = 0; i < open.Length; i++)
            if (open[i].Start >= 0) windows.Add((Rules.RuleAt(i), open[i].Start, open[i].End));
        if (windows.Count > 1 && Rules.PairsReachBack) MergeOverlaps(windows);
    }

    /// <summary>
    /// A window widened back (<see cref="Open{T}"/>) can reach into the rule's window before it: those merge, so no text
    /// is matched twice. Each rule's windows end up in order.
    /// </summary>
    private static void MergeOverlaps(List<(Rule Rule, int Start, int End)> windows)
    {
        windows.Sort(static (a, b) =>
        {
            int byRule = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(a.Rule).CompareTo(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(b.Rule));
            return byRule != 0 ? byRule : a.Start.CompareTo(b.Start);
        });
        int kept = 0;
        for (int i = 0; i < windows.Count; i++)
        {
            var w = windows[i];
            if (kept > 0 && ReferenceEquals(windows[kept - 1].Rule, w.Rule) && w.Start <= windows[kept - 1].End)
                windows[kept - 1] = (w.Rule, windows[kept - 1].Start, Math.Max(windows[kept - 1].End, w.End));
            else windows[kept++] = w;
        }
        windows.RemoveRange(kept, windows.Count - kept);
    }

    /// <summary>Shared and never changed: what most texts get.</summary>
    private static readonly List<(Rule Rule, int Start, int End)> NoWindows = [];

    private static int IndexOfAny<T>(KeywordFinder keywords, ReadOnlySpan<T> text, int from) where T : unmanaged, IBinaryInteger<T> =>
        typeof(T) == typeof(byte) ? keywords.IndexOfAny(MemoryMarshal.Cast<T, byte>(text), from)
        : keywords.IndexOfAny(MemoryMarshal.Cast<T, char>(text), from);

    private static (int Start, int End) Reach<T>(ReadOnlySpan<T> text, int hit, Rule rule) where T : unmanaged, IBinaryInteger<T>
    {
        int end;
        if (rule.Reach > 0) end = Math.Min(text.Length, hit + rule.Reach);
        else
        {
            int ceiling = Math.Min(text.Length, hit + rule.MaxWindow);
            int nl = text[hit..ceiling].IndexOf(T.CreateTruncating('\n'));
            end = nl < 0 ? ceiling : hit + nl + 1;
        }
        return (TokenBoundaryBefore(text, hit), TokenBoundaryAfter(text, end));
    }

    /// <summary>The hit's line plus the rule's extra lines, clamped to MaxWindow characters per line and widened
    /// to token boundaries.</summary>
    private static (int Start, int End) LinesAround<T>(ReadOnlySpan<T> text, int hit, Rule rule) where T : unmanaged, IBinaryInteger<T>
    {
        var newline = T.CreateTruncating('\n');
        int start = hit;
        for (int line = 0; line <= rule.LinesBefore && start > 0; line++)
        {
            int floor = Math.Max(0, start - rule.MaxWindow);
            int nl = text[floor..start].LastIndexOf(newline);
            if (nl < 0) { start = floor; break; }
            nl += floor;
            start = line < rule.LinesBefore ? nl : nl + 1;
        }
        int end = hit;
        for (int line = 0; line <= rule.LinesAfter && end < text.Length; line++)
        {
            int ceiling = Math.Min(text.Length, end + rule.MaxWindow);
            int nl = text[end..ceiling].IndexOf(newline);
            if (nl < 0) { end = ceiling; break; }
            end = end + nl + 1;
        }
        return (TokenBoundaryBefore(text, start), TokenBoundaryAfter(text, end));
    }

    private const string TokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=%_-.";
    private static readonly System.Buffers.SearchValues<byte> TokenBytes = System.Buffers.SearchValues.Create(System.Text.Encoding.ASCII.GetBytes(TokenAlphabet));
    private static readonly System.Buffers.SearchValues<char> TokenChars = System.Buffers.SearchValues.Create(TokenAlphabet);

    /// <summary>Where the token holding position <paramref name="i"/> - 1 starts (at most 65536 back; vectorised:
    /// keywords sit in long identifiers).</summary>
    private static int TokenBoundaryBefore<T>(ReadOnlySpan<T> text, int i) where T : unmanaged, IBinaryInteger<T>
    {
        int limit = Math.Max(0, i - 65536);
        int other = typeof(T) == typeof(byte) ? MemoryMarshal.Cast<T, byte>(text)[limit..i].LastIndexOfAnyExcept(TokenBytes)
            : MemoryMarshal.Cast<T, char>(text)[limit..i].LastIndexOfAnyExcept(TokenChars);
        return other < 0 ? limit : limit + other + 1;
    }

    private static int TokenBoundaryAfter<T>(ReadOnlySpan<T> text, int i) where T : unmanaged, IBinaryInteger<T>
    {
        int limit = Math.Min(text.Length, i + 65536);
        int other = typeof(T) == typeof(byte) ? MemoryMarshal.Cast<T, byte>(text)[i..limit].IndexOfAnyExcept(TokenBytes)
            : MemoryMarshal.Cast<T, char>(text)[i..limit].IndexOfAnyExcept(TokenChars);
        return other < 0 ? limit : i + other;
    }

    private const string RunAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+%";
    private static readonly System.Buffers.SearchValues<char> RunChars = System.Buffers.SearchValues.Create(RunAlphabet);
    private static readonly System.Buffers.SearchValues<byte> RunBytes = System.Buffers.SearchValues.Create(System.Text.Encoding.ASCII.GetBytes(RunAlphabet));

    /// <summary>True when <paramref name="span"/> holds a run of at least <paramref name="length"/> base64/URL
    /// characters. Probes every <paramref name="length"/>th byte: a run that long holds one of them, so a probe on
    /// another byte rules out everything up to the next probe. A window near a common keyword ("NextToken") is ruled
    /// out in a few probes instead of a search per word.</summary>
    internal static bool HasRun(ReadOnlySpan<byte> span, int length) => HasRun(span, length, RunBytes);

    internal static bool HasRun(ReadOnlySpan<char> span, int length) => HasRun(span, length, RunChars);

    private static bool HasRun<T>(ReadOnlySpan<T> span, int length, System.Buffers.SearchValues<T> run) where T : IEquatable<T>
    {
        if (length <= 0) return true;
        for (int probe = length - 1; probe < span.Length; probe += length)
        {
            if (!run.Contains(span[probe])) continue;
            // The run through the probe: back to its start, then on to its end.
            int start = span[..probe].LastIndexOfAnyExcept(run) + 1;
            int end = span[probe..].IndexOfAnyExcept(run);
            end = end < 0 ? span.Length : probe + end;
            if (end - start >= length) return true;
            // No run reaching past this one's end can start before it: the next probe is a full length after it.
            probe = end;
        }
        return false;
    }

    private static void MatchWindow(Rule rule, ReadOnlySpan<char> text, int start, int end, List<Candidate> into, bool checkedRuns = false)
    {
        if (rule.MatchIsToken && rule.MinRun > 0)
        {
            MatchRunTokens(rule, text, start, end, into);
            return;
        }
        if (!checkedRuns && rule.MinRun > 0 && !HasRun(text[start..end], rule.MinRun)) return;
        // Windows start and end at token boundaries, so the regex sees all the context its lookarounds need.
        var window = new string(text[start..end]);
        Match m;
        try { m = rule.Regex.Match(window); }
        catch (RegexMatchTimeoutException) { throw new RuleTimeoutException(rule); }
        while (m.Success)
        {
            var g = rule.SecretGroup(m);
            // An empty match (a rule like "x*", or an optional secret group) is no secret.
            if (g.Length > 0 && Validate(rule, text, start + g.Index, g.Value) is { } candidate)
            {
                candidate.Index = start + g.Index;
                candidate.Length = g.Length;
                into.Add(candidate);
            }
            try { m = m.NextMatch(); }
            catch (RegexMatchTimeoutException) { throw new RuleTimeoutException(rule); }
        }
    }

    /// <summary>
    /// <see cref="MatchWindow"/> for a <see cref="Rule.MatchIsToken"/> rule: the regex runs on each token of the window
    /// that holds a run of the rule's length. A match is made of token characters and its lookarounds stop at
    /// the token's ends, where the window's own text holds characters no token has: the matches are the window's.
    /// </summary>
    private static void MatchRunTokens(Rule rule, ReadOnlySpan<char> text, int start, int end, List<Candidate> into)
    {
        var window = text[start..end];
        int pos = 0, done = 0;
        while (pos < window.Length)
        {
            int runStart = window[pos..].IndexOfAny(RunChars);
            if (runStart < 0) break;
            runStart += pos;
            int length = window[runStart..].IndexOfAnyExcept(RunChars);
            int runEnd = length < 0 ? window.Length : runStart + length;
            pos = runEnd;
            // A shorter run, or one in a token already searched.
            if (runEnd - runStart < rule.MinRun || runStart < done) continue;
            int tokenStart = TokenBoundaryBefore(window, runStart), tokenEnd = TokenBoundaryAfter(window, runEnd);
            done = tokenEnd;
            var token = window[tokenStart..tokenEnd];
            Regex.ValueMatchEnumerator matches;
            try { matches = rule.Regex.EnumerateMatches(token); }
            catch (RegexMatchTimeoutException) { throw new RuleTimeoutException(rule); }
            while (true)
            {
                try { if (!matches.MoveNext()) break; }
                catch (RegexMatchTimeoutException) { throw new RuleTimeoutException(rule); }
                var m = matches.Current;
                if (m.Length == 0) continue;
                int at = start + tokenStart + m.Index;
                if (Validate(rule, text, at, new string(token.Slice(m.Index, m.Length))) is { } candidate)
                {
                    candidate.Index = at;
                    candidate.Length = m.Length;
                    into.Add(candidate);
                }
            }
        }
    }

    /// <summary>A candidate for what the regex matched, or null when the rule's validation rejects it.</summary>
    private static Candidate? Validate(Rule rule, ReadOnlySpan<char> text, int index, string raw)
    {
        bool needsPair = false;
        // Each check is its detector's validation. A switch rather than a virtual call: this runs on every match.
        string? secret = rule.Check switch
        {
            RuleCheck.AwsKeyId => AwsAccessKeyId.Validate(rule, raw),
            RuleCheck.AwsSecret => AwsSecretAccessKey.Validate(rule, text, index, raw, out needsPair),
            RuleCheck.AwsSessionToken => AwsSessionToken.Validate(rule, text, index, raw, out needsPair),
            RuleCheck.AwsSsoToken => AwsSsoAccessToken.Validate(rule, text, index, raw),
            RuleCheck.Entropy => GenericHighEntropy.Validate(rule, raw),
            _ => RegexAndEntropyOnly(rule, raw),
        };
        return secret is null ? null : new Candidate { Rule = rule, Index = index, Length = raw.Length, Secret = secret, NeedsPair = needsPair };
    }

    /// <summary>Rules without a check (user rules, the MWS and Bedrock detectors): length, placeholders, entropy floor.</summary>
    private static string? RegexAndEntropyOnly(Rule rule, string raw)
    {
        if (raw.Length < rule.MinLength || rule.FilterPlaceholders && Placeholders.IsPlaceholder(raw)) return null;
        if (rule.MinEntropy > 0 && Entropy.Shannon(raw) < rule.MinEntropy) return null;
        return raw;
    }

    /// <summary>Line numbers and line starts for sorted candidates, counting newlines once.</summary>
    private static void Locate(ReadOnlySpan<char> text, TextPosition position, List<Candidate> sorted)
    {
        int line = position.Line, cursor = 0;
        long lineStart = position.LineStart;
        foreach (var c in sorted)
        {
            var between = text[cursor..c.Index];
            int count = between.Count('\n');
            if (count > 0)
            {
                line += count;
                lineStart = position.Offset + cursor + between.LastIndexOf('\n') + 1;
            }
            cursor = c.Index;
            c.Line = line;
            c.LineStart = lineStart;
        }
    }

    /// <summary>
    /// A candidate whose rule pairs (a secret, a token) is linked to the nearest candidate of the partner role within
    /// the pairing's lines: a secret with no key name nearby is kept only when it has one, which is how the console
    /// CSV, SDK constructors and copy-pasted pairs leak.
    /// </summary>
    private static void Pair(List<Candidate> candidates)
    {
        foreach (var c in candidates)
            if (c.NeedsPair && c.Rule.PairsWith is { } pairing && Nearest(candidates, pairing, c, reported: false) is not null) c.NeedsPair = false;
    }

    /// <summary>The closest candidate of the pairing's role: fewest lines apart, then fewest characters. With a
    /// <see cref="Pairing.Via"/> role, failing that, the partner of the closest such candidate that has one.</summary>
    /// <param name="reported">Only candidates that became findings.</param>
    private static Candidate? Nearest(List<Candidate> candidates, Pairing pairing, Candidate c, bool reported)
    {
        var best = Closest(candidates, pairing.With, pairing, c, reported, k => pairing.KeyIdPrefix is not { } p || k.Secret.StartsWith(p, StringComparison.Ordinal));
        if (best != null || pairing.Via is not { } via) return best;
        Candidate? PartnerOf(Candidate k) =>
            k.Rule.PairsWith is { } own ? Nearest(candidates, own with { KeyIdPrefix = pairing.KeyIdPrefix, Via = null }, k, reported) : null;
        var voucher = Closest(candidates, via, pairing, c, reported, k => PartnerOf(k) != null);
        return voucher is null ? null : PartnerOf(voucher);
    }

    private static Candidate? Closest(List<Candidate> candidates, CredentialRole role, Pairing pairing, Candidate c, bool reported, Func<Candidate, bool> accept)
    {
        Candidate? best = null;
        long bestScore = long.MaxValue;
        foreach (var k in candidates)
        {
            if (k.Rule.Role != role || ReferenceEquals(k, c) || reported && k.Finding == null) continue;
            int lines = Math.Abs(k.Line - c.Line);
            if (lines > pairing.WithinLines) continue;
            long score = (long)lines * int.MaxValue + Math.Abs(k.Index - c.Index);
            if (score < bestScore && accept(k)) { bestScore = score; best = k; }
        }
        return best;
    }

    private static void LinkPairs(List<Candidate> candidates)
    {
        foreach (var c in candidates)
        {
            if (c.Finding == null || c.Rule.PairsWith is not { } pairing) continue;
            if (Nearest(candidates, pairing, c, reported: true) is not { Finding: { } key }) continue;
            c.Finding.KeyId = key.KeyId;
            c.Finding.Account = key.Account;
            c.Finding.KeyKind = key.KeyKind;
            c.Finding.PairedWith.Add(key.Fingerprint);
            key.PairedWith.Add(c.Finding.Fingerprint);
        }
    }

    private static bool OnAllowedLine(ReadOnlySpan<char> text, int index)
    {
        int start = text[..index].LastIndexOf('\n') + 1;
        int end = text[index..].IndexOf('\n');
        end = end < 0 ? text.Length : index + end;
        return text[start..end].Contains(AllowMarker, StringComparison.Ordinal);
    }
}

/// <summary>A user regex exceeded its match timeout: the file is reported as a scan error naming the rule.</summary>
internal sealed class RuleTimeoutException(Rule rule)
    : Exception($"rule '{rule.Id}' ({rule.Origin}) timed out after {RuleFileParser.MatchTimeout.TotalSeconds:0}s; simplify its regex")
{
    private List<Rule>? _others;

    /// <summary>Whether <paramref name="r"/> is a rule that timed out on this text.</summary>
    internal bool TimedOut(Rule r) => ReferenceEquals(r, rule) || _others?.Contains(r) == true;

    /// <summary>This one (its message names the first rule), remembering that <paramref name="r"/> timed out too.</summary>
    internal RuleTimeoutException With(Rule r)
    {
        (_others ??= []).Add(r);
        return this;
    }
}
