using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace KeyGuard.Detection;

/// <summary>
/// Reads rule files: blocks that open with <c>[rule-id]</c>, then <c>key = value</c> lines; <c>#</c> starts a comment
/// line. A bad key, value or regex is a <see cref="UsageException"/> naming file:line.
/// </summary>
public static class RuleFileParser
{
    /// <summary>User regexes get a match timeout so a catastrophic pattern cannot hang a scan.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The longest regex a rule may have, in characters.</summary>
    public const int MaxRegexLength = 4096;

    private static readonly string[] Keys =
        ["title", "description", "regex", "keywords", "pair-keywords", "reach", "min-run", "check", "entropy", "hex-entropy", "min-length", "severity", "enabled", "lines-before", "lines-after", "max-window"];

    public static IReadOnlyList<Rule> ParseFile(string path, bool builtIn = false)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read rule file: {e.Message}");
        }
        return Parse(text, path, builtIn);
    }

    /// <summary>The default rules shipped inside the assembly (copied from the repository's patterns/ folder).</summary>
    public static IReadOnlyList<Rule> LoadDefaults()
    {
        var asm = typeof(RuleFileParser).Assembly;
        var rules = new List<Rule>();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.EndsWith(".rules", StringComparison.Ordinal)).Order())
        {
            using var stream = asm.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            rules.AddRange(Parse(reader.ReadToEnd(), "patterns/" + name.Split('.', 2)[1], builtIn: true));
        }
        return rules;
    }

    public static IReadOnlyList<Rule> Parse(string text, string fileName, bool builtIn = false)
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
                if (id != null) rules.Add(Build(id, idLine, fields!, fileName, builtIn));
                if (!line.EndsWith(']') || line.Length < 3)
                    throw new UsageException($"{fileName}:{lineNo}: a rule header looks like [rule-id]");
                id = line[1..^1].Trim();
                if (!Regex.IsMatch(id, "^[a-z0-9][a-z0-9._-]*$"))
                    throw new UsageException($"{fileName}:{lineNo}: rule id '{id}' must be lowercase letters, digits, '.', '_' or '-'");
                idLine = lineNo;
                fields = new(StringComparer.Ordinal);
                continue;
            }
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new UsageException($"{fileName}:{lineNo}: expected 'key = value'");
            if (id == null) throw new UsageException($"{fileName}:{lineNo}: '{line[..eq].Trim()}' comes before any [rule-id] header");
            var key = line[..eq].Trim();
            if (!Keys.Contains(key))
                throw new UsageException($"{fileName}:{lineNo}: unknown key '{key}' (known: {string.Join(", ", Keys)})");
            if (fields!.ContainsKey(key)) throw new UsageException($"{fileName}:{lineNo}: '{key}' given twice in rule '{id}'");
            fields[key] = (line[(eq + 1)..].Trim(), lineNo);
        }
        if (id != null) rules.Add(Build(id, idLine, fields!, fileName, builtIn));
        return rules;
    }

    private static Rule Build(string id, int idLine, Dictionary<string, (string Value, int Line)> f, string file, bool builtIn)
    {
        string Where(string key) => $"{file}:{(f.TryGetValue(key, out var v) ? v.Line : idLine)}";
        if (!f.TryGetValue("regex", out var rx)) throw new UsageException($"{file}:{idLine}: rule '{id}' has no regex");
        // Compiling a regex costs more than linear memory in its length (20,000 characters took 383 MB): a bound keeps
        // a rule file from a scanned repository from exhausting memory. The shipped rules stay under 200.
        if (rx.Value.Length > MaxRegexLength)
            throw new UsageException($"{Where("regex")}: regex in rule '{id}' is {rx.Value.Length} characters; at most {MaxRegexLength} are allowed");
        Regex regex;
        // User regexes get a match timeout; the shipped ones are reviewed and bounded, and compiled at build time.
        try { regex = (builtIn ? BuiltInRegexes.For(rx.Value) : null) ?? new Regex(rx.Value, RegexOptions.CultureInvariant | RegexOptions.Compiled, builtIn ? Regex.InfiniteMatchTimeout : MatchTimeout); }
        catch (ArgumentException e) { throw new UsageException($"{Where("regex")}: bad regex in rule '{id}': {e.Message}"); }

        double Number(string key, double fallback)
        {
            if (!f.TryGetValue(key, out var v)) return fallback;
            if (double.TryParse(v.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0) return d;
            throw new UsageException($"{Where(key)}: '{key}' must be a non-negative number, not '{v.Value}'");
        }
        RuleCheck check = RuleCheck.None;
        if (f.TryGetValue("check", out var c))
        {
            check = c.Value switch
            {
                "none" => RuleCheck.None,
                "aws-key-id" => RuleCheck.AwsKeyId,
                "aws-secret" => RuleCheck.AwsSecret,
                "aws-session-token" => RuleCheck.AwsSessionToken,
                "entropy" => RuleCheck.Entropy,
                _ => throw new UsageException($"{Where("check")}: unknown check '{c.Value}' (none, aws-key-id, aws-secret, aws-session-token, entropy)"),
            };
        }
        string severity = f.TryGetValue("severity", out var s) ? s.Value : "high";
        if (severity is not ("critical" or "high" or "medium" or "low" or "info"))
            throw new UsageException($"{Where("severity")}: severity must be critical, high, medium, low or info");
        bool enabled = true;
        if (f.TryGetValue("enabled", out var en))
        {
            enabled = en.Value switch
            {
                "true" => true,
                "false" => false,
                _ => throw new UsageException($"{Where("enabled")}: 'enabled' must be true or false"),
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
            Check = check,
            MinEntropy = Number("entropy", 0),
            MinHexEntropy = Number("hex-entropy", 0),
            MinLength = (int)Number("min-length", 0),
            Severity = severity,
            Enabled = enabled,
            LinesBefore = (int)Number("lines-before", 0),
            LinesAfter = (int)Number("lines-after", 0),
            MaxWindow = (int)Number("max-window", 4096),
            Origin = $"{file}:{idLine}",
            BuiltIn = builtIn,
        };
    }
}
