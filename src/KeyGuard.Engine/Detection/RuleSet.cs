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
        KeywordRules = Keywords is null ? [] : Keywords.Keywords.Select(k => (k, byKeyword[k].Select(x => (x.Item1, x.Item2, index[x.Item1])).ToArray())).ToList();
        Slots = Rules.Count > 0 ? Rules.Count + 1 : 0;
        PairsReachBack = Rules.Any(r => r.PairKeywords.Count > 0 && r.LinesBefore > 0);

        // The runs-first screen's split: keywords whose every rule needs a base64 run are looked for only near runs.
        bool NeedsRun(string kw) => byKeyword[kw].All(x => !ReferenceEquals(x.Item1, EncodedText.Trigger) && x.Item1.MinRun > 0);
        var nearRuns = byKeyword.Keys.Where(NeedsRun).ToList();
        if (nearRuns.Count == 0) return;
        var always = byKeyword.Keys.Where(k => !NeedsRun(k)).ToList();
        RunKeywords = new KeywordFinder(nearRuns);
        RunKeywordRules = Table(RunKeywords);
        AlwaysKeywords = always.Count > 0 ? new KeywordFinder(always) : null;
        AlwaysKeywordRules = AlwaysKeywords is null ? [] : Table(AlwaysKeywords);
        LongestKeyword = byKeyword.Keys.Max(k => k.Length);
        RunShortest = int.MaxValue;
        foreach (var kw in nearRuns)
            foreach (var (rule, pairing) in byKeyword[kw])
            {
                RunShortest = Math.Min(RunShortest, rule.MinRun);
                if (pairing)
                {
                    RunLinesBack = Math.Max(RunLinesBack, rule.LinesAfter);
                    RunLinesAhead = Math.Max(RunLinesAhead, rule.LinesBefore);
                }
                else if (rule.Reach > 0) RunReachBack = Math.Max(RunReachBack, rule.Reach);
                else RunLineReachBack = Math.Max(RunLineReachBack, rule.MaxWindow);
            }

        IReadOnlyList<(string, (Rule, bool, int)[])> Table(KeywordFinder finder) =>
            finder.Keywords.Select(k => (k, byKeyword[k].Select(x => (x.Item1, x.Item2, index[x.Item1])).ToArray())).ToList();
    }

    /// <summary>
    /// Keywords all of whose rules need a base64 run (<c>secret</c>, <c>token</c>): on text where they are everywhere,
    /// they are looked for only around the runs (<see cref="TextScanner"/>'s runs-first screen), with their rules as
    /// <see cref="KeywordRules"/> has them. Null when no keyword is such.
    /// </summary>
    internal KeywordFinder? RunKeywords { get; }
    internal IReadOnlyList<(string Keyword, (Rule Rule, bool Pairing, int Index)[] Rules)> RunKeywordRules { get; } = [];
    /// <summary>The other keywords (key ID prefixes, escapes, rules without a run), looked for everywhere.</summary>
    internal KeywordFinder? AlwaysKeywords { get; }
    internal IReadOnlyList<(string Keyword, (Rule Rule, bool Pairing, int Index)[] Rules)> AlwaysKeywordRules { get; } = [];
    /// <summary>The shortest run a <see cref="RunKeywords"/> rule needs.</summary>
    internal int RunShortest { get; }
    /// <summary>How far before a run a <see cref="RunKeywords"/> hit can open a window holding it: characters
    /// (reach), characters on the run's own line (rules whose window is the rest of the hit's line), and lines (pair
    /// keywords' lines after them); and lines after it (lines before).</summary>
    internal int RunReachBack { get; }
    internal int RunLineReachBack { get; }
    internal int RunLinesBack { get; }
    internal int RunLinesAhead { get; }
    internal int LongestKeyword { get; }

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

    public static RuleSet Default() => new(RuleFileParser.LoadDefaults());
}
