using System.Globalization;
using System.Text.RegularExpressions;
using KeyGuard.Detection.Detectors;
using KeyGuard.Findings;

namespace KeyGuard.Detection;

/// <summary>
/// Reads rule files: blocks that open with <c>[rule-id]</c>, then <c>key = value</c> lines; <c>#</c> starts a comment
/// line. A bad key, value or regex is a <see cref="InvalidInputException"/> naming file:line.
/// </summary>
internal static class RuleFileParser
{
    /// <summary>User regexes get a match timeout so a catastrophic pattern cannot hang a scan.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The longest regex a rule may have, in characters.</summary>
    public const int MaxRegexLength = 4096;

    private static readonly string[] Keys =
        ["title", "description", "regex", "keywords", "pair-keywords", "reach", "min-run", "check", "entropy", "hex-entropy", "min-length", "severity", "enabled", "lines-before", "lines-after", "max-window"];

    /// <summary>The values <c>check =</c> takes: none, or a built-in detector's validation.</summary>
    private static readonly string[] CheckNames = ["none", .. BuiltInDetectors.All.Select(d => d.CheckName).OfType<string>()];

    public static IReadOnlyList<Rule> ParseFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot read rule file: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>
    /// The default rules: the built-in detectors (<c>Detection/Detectors/</c>), whose regexes are compiled at build
    /// time. The shipped rule files (patterns/, embedded) are their user-facing copy, kept equal by a test; here they
    /// only say where each rule is defined, for error messages.
    /// </summary>
    public static IReadOnlyList<Rule> LoadDefaults()
    {
        var origins = ShippedRuleOrigins();
        return BuiltInDetectors.All.Select(d => d.Rule with { Origin = origins.GetValueOrDefault(d.Id, "built-in") }).ToList();
    }

    /// <summary>file:line of each <c>[rule-id]</c> header in the shipped rule files (headers only: no regex is compiled).</summary>
    private static Dictionary<string, string> ShippedRuleOrigins()
    {
        var asm = typeof(RuleFileParser).Assembly;
        var origins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.EndsWith(".rules", StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(asm.GetManifestResourceStream(name)!);
            int lineNo = 0;
            for (var line = reader.ReadLine(); line != null; line = reader.ReadLine())
            {
                lineNo++;
                line = line.Trim();
                if (line.Length > 2 && line[0] == '[' && line[^1] == ']') origins.TryAdd(line[1..^1].Trim(), $"patterns/{name.Split('.', 2)[1]}:{lineNo}");
            }
        }
        return origins;
    }

    public static IReadOnlyList<Rule> Parse(string text, string fileName)
    {
        var rules = new List<Rule>();
        Dictionary<string, (string Value, int Line)>? fields = null;
        string? id = null;
        int idLine = 0;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r').Trim();
            int lineNo = i + 1;
            if (line.Length == 0 || line[0] == '#') continue;
            if (line[0] == '[')
            {
                if (id != null) rules.Add(Build(id, idLine, fields!, fileName));
                if (!line.EndsWith(']') || line.Length < 3)
                    throw new InvalidInputException($"{fileName}:{lineNo}: a rule header looks like [rule-id]");
                id = line[1..^1].Trim();
                if (!Regex.IsMatch(id, "^[a-z0-9][a-z0-9._-]*$"))
                    throw new InvalidInputException($"{fileName}:{lineNo}: rule id '{id}' must be lowercase letters, digits, '.', '_' or '-'");
                idLine = lineNo;
                fields = new(StringComparer.Ordinal);
                continue;
            }
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new InvalidInputException($"{fileName}:{lineNo}: expected 'key = value'");
            if (id == null) throw new InvalidInputException($"{fileName}:{lineNo}: '{line[..eq].Trim()}' comes before any [rule-id] header");
            var key = line[..eq].Trim();
            if (!Keys.Contains(key))
                throw new InvalidInputException($"{fileName}:{lineNo}: unknown key '{key}' (known: {string.Join(", ", Keys)})");
            if (fields!.ContainsKey(key)) throw new InvalidInputException($"{fileName}:{lineNo}: '{key}' given twice in rule '{id}'");
            fields[key] = (line[(eq + 1)..].Trim(), lineNo);
        }
        if (id != null) rules.Add(Build(id, idLine, fields!, fileName));
        return rules;
    }

    private static bool MatchesEmpty(Regex regex)
    {
        try { return regex.IsMatch(""); }
        catch (RegexMatchTimeoutException) { return false; }
    }

    private static Rule Build(string id, int idLine, Dictionary<string, (string Value, int Line)> f, string file)
    {
        string Where(string key) => $"{file}:{(f.TryGetValue(key, out var v) ? v.Line : idLine)}";
        if (!f.TryGetValue("regex", out var rx)) throw new InvalidInputException($"{file}:{idLine}: rule '{id}' has no regex");
        // Compiling a regex costs more than linear memory in its length (20,000 characters took 383 MB): a bound keeps
        // a rule file from a scanned repository from exhausting memory. The shipped rules stay under 200.
        if (rx.Value.Length > MaxRegexLength)
            throw new InvalidInputException($"{Where("regex")}: regex in rule '{id}' is {rx.Value.Length} characters; at most {MaxRegexLength} are allowed");
        Regex regex;
        // User regexes get a match timeout; the built-in ones are reviewed and bounded, and compiled at build time.
        try { regex = new Regex(rx.Value, RegexOptions.CultureInvariant | RegexOptions.Compiled, MatchTimeout); }
        catch (ArgumentException e) { throw new InvalidInputException($"{Where("regex")}: bad regex in rule '{id}': {e.Message}"); }
        // A regex that matches nothing at all matches at every character: millions of empty "findings" per file.
        if (MatchesEmpty(regex))
            throw new InvalidInputException($"{Where("regex")}: rule '{id}' matches the empty string; make its regex require at least one character");

        double Number(string key, double fallback)
        {
            if (!f.TryGetValue(key, out var v)) return fallback;
            if (double.TryParse(v.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0) return d;
            throw new InvalidInputException($"{Where(key)}: '{key}' must be a non-negative number, not '{v.Value}'");
        }
        // A check borrows a built-in detector's validation, and with it the detector's role and pairing.
        Detector? checkedAs = null;
        if (f.TryGetValue("check", out var c) && c.Value != "none")
            checkedAs = BuiltInDetectors.WithCheck(c.Value)
                ?? throw new InvalidInputException($"{Where("check")}: unknown check '{c.Value}' ({string.Join(", ", CheckNames)})");
        string severity = f.TryGetValue("severity", out var s) ? s.Value : "high";
        if (severity is not ("critical" or "high" or "medium" or "low" or "info"))
            throw new InvalidInputException($"{Where("severity")}: severity must be critical, high, medium, low or info");
        bool enabled = true;
        if (f.TryGetValue("enabled", out var en))
        {
            enabled = en.Value switch
            {
                "true" => true,
                "false" => false,
                _ => throw new InvalidInputException($"{Where("enabled")}: 'enabled' must be true or false"),
            };
        }
        var keywords = f.TryGetValue("keywords", out var k)
            ? k.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        var pairKeywords = f.TryGetValue("pair-keywords", out var pk)
            ? pk.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        return new Rule
        {
            PairKeywords = pairKeywords,
            Reach = (int)Number("reach", 0),
            MinRun = (int)Number("min-run", 0),
            Id = id,
            Title = f.TryGetValue("title", out var t) ? t.Value : id,
            Description = f.TryGetValue("description", out var d) ? d.Value : "",
            Regex = regex,
            Keywords = keywords,
            Check = checkedAs?.Rule.Check ?? RuleCheck.None,
            Role = checkedAs?.Rule.Role ?? CredentialRole.Other,
            PairsWith = checkedAs?.Rule.PairsWith,
            MinEntropy = Number("entropy", 0),
            MinHexEntropy = Number("hex-entropy", 0),
            MinLength = (int)Number("min-length", 0),
            Severity = severity,
            Enabled = enabled,
            LinesBefore = (int)Number("lines-before", 0),
            LinesAfter = (int)Number("lines-after", 0),
            MaxWindow = (int)Number("max-window", 4096),
            Origin = $"{file}:{idLine}",
        };
    }
}
