using System.Buffers;

namespace KeyGuard.Detection;

/// <summary>
/// The enabled rules, with the keyword prefilter built once: one vectorised pass finds every keyword of every
/// rule, so a chunk with no keyword costs that pass and no regex.
/// </summary>
internal sealed class RuleSet
{
    public IReadOnlyList<Rule> Rules { get; }
    /// <summary>Rules without keywords run on every chunk.</summary>
    internal IReadOnlyList<Rule> Unfiltered { get; }
    internal KeywordFinder? Keywords { get; }
    /// <summary>Per keyword (in the finder's order), the rules it opens a window for, with each rule's position.</summary>
    internal IReadOnlyList<(string Keyword, (Rule Rule, bool Pairing, int Index)[] Rules)> KeywordRules { get; }

    public RuleSet(IEnumerable<Rule> rules)
    {
        Rules = rules.Where(r => r.Enabled).ToList();
        var index = new Dictionary<Rule, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < Rules.Count; i++) index.TryAdd(Rules[i], i);
        Unfiltered = Rules.Where(r => r.Keywords.Count == 0 && r.PairKeywords.Count == 0).ToList();
        var byKeyword = new Dictionary<string, List<(Rule, bool)>>(StringComparer.Ordinal);
        // Encoded segments are found in the same keyword pass, as the windows of one more rule in the last slot.
        var triggers = Rules.Count > 0 ? EncodedText.TriggerKeywords : [];
        if (triggers.Count > 0) index[EncodedText.Trigger] = Rules.Count;
        foreach (var kw in triggers.Take(1)) byKeyword[kw] = [(EncodedText.Trigger, false)];
        foreach (var rule in Rules)
            foreach (var (kw, pairing) in rule.Keywords.Select(k => (k, false)).Concat(rule.PairKeywords.Select(k => (k, true))))
            {
                if (!byKeyword.TryGetValue(kw, out var list)) byKeyword[kw] = list = [];
                if (!list.Contains((rule, pairing))) list.Add((rule, pairing));
            }
        foreach (var kw in triggers.Skip(1))
        {
            if (!byKeyword.TryGetValue(kw, out var list)) byKeyword[kw] = list = [];
            list.Add((EncodedText.Trigger, false));
        }
        Keywords = byKeyword.Count > 0 ? new KeywordFinder(byKeyword.Keys) : null;
        // Same order as the finder's keywords, so a hit's keyword index picks its rules.
        KeywordRules = Keywords is null ? [] : Keywords.Keywords.Select(Opens).ToList();
        Slots = Rules.Count > 0 ? Rules.Count + 1 : 0;
        PairsReachBack = Rules.Any(r => r.PairKeywords.Count > 0 && r.LinesBefore > 0);

        // Rules that need a run get a bit in a run's mask (RunIndex.Classify): the first 63 their own, the rest bit 63.
        _runRules = Rules.Where(r => r.MinRun > 0).ToArray();
        for (int i = 0; i < _runRules.Length; i++) _runBit.TryAdd(_runRules[i], 1UL << Math.Min(i, 63));

        // The runs-first screen's split: keywords whose every rule needs a base64 run are looked for only near runs.
        bool NeedsRun(string kw) => byKeyword[kw].All(x => !ReferenceEquals(x.Item1, EncodedText.Trigger) && x.Item1.MinRun > 0);
        var nearRuns = byKeyword.Keys.Where(NeedsRun).ToList();
        if (nearRuns.Count == 0) return;
        var always = byKeyword.Keys.Where(k => !NeedsRun(k)).ToList();
        HasRunKeywords = true;
        AlwaysKeywords = always.Count > 0 ? new KeywordFinder(always) : null;
        AlwaysKeywordRules = AlwaysKeywords is null ? [] : AlwaysKeywords.Keywords.Select(Opens).ToList();
        _nearRuns = nearRuns.Select(Opens).ToList();
        foreach (var (_, opened) in _nearRuns)
            foreach (var (rule, _, _) in opened) NearRunMask |= RunBit(rule);

        // A keyword with the rules it opens a window for, and each rule's position.
        (string, (Rule, bool, int)[]) Opens(string k) => (k, byKeyword[k].Select(x => (x.Item1, x.Item2, index[x.Item1])).ToArray());
    }

    /// <summary>
    /// Some keywords' rules all need a base64 run (<c>secret</c>, <c>token</c>): on text where they are everywhere,
    /// they are looked for only around the runs (<see cref="TextScanner"/>'s runs-first screen, through
    /// <see cref="ScreenFor"/>).
    /// </summary>
    internal bool HasRunKeywords { get; }
    /// <summary>The other keywords (key ID prefixes, escapes, rules without a run), looked for everywhere.</summary>
    internal KeywordFinder? AlwaysKeywords { get; }
    internal IReadOnlyList<(string Keyword, (Rule Rule, bool Pairing, int Index)[] Rules)> AlwaysKeywordRules { get; } = [];

    /// <summary>The rules that need a base64 run (<see cref="Rule.MinRun"/> &gt; 0), in <see cref="RunMask"/>'s bit order.</summary>
    private readonly Rule[] _runRules;
    private readonly Dictionary<Rule, ulong> _runBit = new(ReferenceEqualityComparer.Instance);

    /// <summary>A rule's bit in a run's mask; 0 for a rule that needs no run.</summary>
    internal ulong RunBit(Rule rule) => _runBit.GetValueOrDefault(rule);

    /// <summary>The rules a maximal run of base64/URL characters may serve: long enough, and passing the rule's
    /// <see cref="Rule.RunMayHold"/> (rules past the 63rd share bit 63 and skip that test).</summary>
    internal ulong RunMask(ReadOnlySpan<byte> run)
    {
        ulong mask = 0;
        var rules = _runRules;
        for (int i = 0; i < rules.Length; i++)
        {
            var rule = rules[i];
            if (run.Length < rule.MinRun || i < 63 && rule.RunMayHold is { } test && !test(run)) continue;
            mask |= 1UL << Math.Min(i, 63);
        }
        return mask;
    }

    /// <summary>The bits of the rules of the keywords looked for only around runs.</summary>
    internal ulong NearRunMask { get; }

    private readonly List<(string Keyword, (Rule Rule, bool Pairing, int Index)[] Rules)> _nearRuns = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, NearRunScreen> _screens = new();

    /// <summary>
    /// The runs-first screen around runs that may serve the rules of <paramref name="mask"/> (within
    /// <see cref="NearRunMask"/>, not 0): only those rules' keywords are looked for, from as far back as their windows
    /// reach. A 76-character base64 blob cannot be a secret access key, so a "secret" before it is not looked for.
    /// </summary>
    internal NearRunScreen ScreenFor(ulong mask) => _screens.GetOrAdd(mask, m =>
    {
        var mine = _nearRuns.Where(k => k.Rules.Any(x => (RunBit(x.Rule) & m) != 0)).ToList();
        int reachBack = 0, lineReachBack = 0, linesBack = 0, linesAhead = 0;
        foreach (var (_, rules) in mine)
            foreach (var (rule, pairing, _) in rules)
            {
                if ((RunBit(rule) & m) == 0) continue;
                if (pairing)
                {
                    linesBack = Math.Max(linesBack, rule.LinesAfter);
                    linesAhead = Math.Max(linesAhead, rule.LinesBefore);
                }
                else if (rule.Reach > 0) reachBack = Math.Max(reachBack, rule.Reach);
                else lineReachBack = Math.Max(lineReachBack, rule.MaxWindow);
            }
        var finder = new KeywordFinder(mine.Select(k => k.Keyword));
        var rulesOf = mine.ToDictionary(k => k.Keyword, k => k.Rules, StringComparer.Ordinal);
        return new NearRunScreen(finder, finder.Keywords.Select(k => (k, rulesOf[k])).ToList(),
            reachBack, lineReachBack, linesBack, linesAhead, mine.Max(k => k.Keyword.Length));
    });

    /// <summary>Some rule's pair-keyword windows reach lines back, so a rule's windows can overlap.</summary>
    internal bool PairsReachBack { get; }

    /// <summary>Window slots: one per rule, then <see cref="EncodedText.Trigger"/>'s.</summary>
    internal int Slots { get; }

    /// <summary>The rule whose windows slot <paramref name="i"/> holds.</summary>
    internal Rule RuleAt(int i) => i < Rules.Count ? Rules[i] : EncodedText.Trigger;

    /// <summary>
    /// Loads the default rules plus the user's files, applies enable/disable lists, and rejects duplicate ids and
    /// unknown names so that a typo in a config is an error, not a silently ignored line.
    /// </summary>
    public static RuleSet Load(IEnumerable<string> patternFiles, IEnumerable<string> enable, IEnumerable<string> disable, bool defaults = true)
    {
        (patternFiles, enable, disable) = (patternFiles.ToList(), enable.ToList(), disable.ToList());
        if (defaults && !patternFiles.Any() && !enable.Any() && !disable.Any()) return Default();
        var all = new List<Rule>(defaults ? RuleFileParser.LoadDefaults() : []);
        foreach (var file in patternFiles)
        {
            if (!File.Exists(file)) throw new InvalidInputException($"{file}: pattern file not found");
            foreach (var rule in RuleFileParser.ParseFile(file))
            {
                var clash = all.FirstOrDefault(r => r.Id == rule.Id);
                if (clash != null) throw new InvalidInputException($"{rule.Origin}: rule id '{rule.Id}' is already defined at {clash.Origin}");
                all.Add(rule);
            }
        }
        var ids = all.Select(r => r.Id).ToHashSet();
        foreach (var name in enable.Concat(disable))
            if (!ids.Contains(name)) throw new InvalidInputException($"unknown rule '{name}' (known: {string.Join(", ", ids.Order())})");
        var enableSet = enable.ToHashSet();
        var disableSet = disable.ToHashSet();
        var chosen = all.Select(r =>
            disableSet.Contains(r.Id) ? Reenable(r, false)
            : enableSet.Contains(r.Id) && !r.Enabled ? Reenable(r, true)
            : r);
        return new RuleSet(chosen);
    }

    private static Rule Reenable(Rule r, bool enabled) => r with { Enabled = enabled };

    /// <summary>The default rules, built once (immutable and thread-safe, so every scan of a process shares them).</summary>
    public static RuleSet Default() => Defaults.Value;

    private static readonly Lazy<RuleSet> Defaults = new(() => new RuleSet(RuleFileParser.LoadDefaults()));
}

/// <summary>What the runs-first screen looks for around runs that may serve a set of rules: those rules' keywords
/// (with the rules each opens, as <see cref="RuleSet.KeywordRules"/> has them), and how far before a run a hit can
/// open a window that holds it: characters (reach), characters on the run's own line (windows to the end of the hit's
/// line), lines (pair keywords' lines after them); and lines after it (lines before).</summary>
internal sealed record NearRunScreen(
    KeywordFinder Finder, IReadOnlyList<(string Keyword, (Rule Rule, bool Pairing, int Index)[] Rules)> Table,
    int ReachBack, int LineReachBack, int LinesBack, int LinesAhead, int LongestKeyword);
