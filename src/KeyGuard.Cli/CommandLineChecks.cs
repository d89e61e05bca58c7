using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace KeyGuard.Cli;

/// <summary>
/// What System.CommandLine lets through: a mistyped option is taken as a PATH (scan --histroy would scan the work
/// tree instead of the history, plan --offlne would go to AWS), and an empty PATH is an unset shell variable.
/// </summary>
internal static partial class CommandLineChecks
{
    public static IEnumerable<string> StrayArguments(ParseResult parse)
    {
        var tokens = parse.Tokens;
        int doubleDash = -1;
        for (int i = 0; i < tokens.Count; i++)
            if (tokens[i].Type == TokenType.DoubleDash) { doubleDash = i; break; }
        var command = parse.CommandResult.Command;
        foreach (var argument in parse.CommandResult.Children.OfType<ArgumentResult>())
            foreach (var token in argument.Tokens)
            {
                if (doubleDash >= 0 && IndexOf(tokens, token) > doubleDash) continue;   // after --: a path, whatever it looks like
                if (token.Value.Length == 0)
                    yield return $"{argument.Argument.Name}: an empty value was given (an unset variable?)";
                else if (token.Value.Length > 1 && token.Value[0] == '-')
                    yield return $"unknown option '{token.Value}'{Suggest(command, token.Value)} (a path that starts with - goes after --)";
            }
    }

    private static int IndexOf(IReadOnlyList<Token> tokens, Token token)
    {
        for (int i = 0; i < tokens.Count; i++)
            if (ReferenceEquals(tokens[i], token)) return i;
        return -1;
    }

    private static string Suggest(Command command, string typed)
    {
        var name = typed.Split('=', 2)[0];
        var best = command.Options.Where(o => !o.Hidden)
            .SelectMany(o => o.Aliases.Prepend(o.Name))
            .Where(n => n.StartsWith("--", StringComparison.Ordinal))
            .Select(n => (Name: n, Distance: Distance(name, n)))
            .Where(c => c.Distance <= Math.Max(2, c.Name.Length / 4))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Name == null ? "" : $"; did you mean {best.Name}?";
    }

    /// <summary>Edit distance with adjacent swaps (optimal string alignment): "--histroy" is one step from "--history".</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    public static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r != null; r = r.Parent as CommandResult) names.Insert(0, r.Command.Name);
        if (names.Count > 0) names[0] = "keyguard";
        return string.Join(' ', names);
    }

    /// <summary>
    /// Help shows what an option takes (<c>--output FILE</c>, <c>--threads N</c>) instead of System.CommandLine's echo
    /// of the option's own name (<c>--output &lt;output&gt;</c>). Options with a fixed set of values keep their list.
    /// </summary>
    public static void NamePlaceholders(Command command)
    {
        foreach (var option in command.Options)
        {
            if (option.HelpName != null || option.ValueType == typeof(bool) || option is System.CommandLine.Help.HelpOption or VersionOption) continue;
            if (option.Name is "--format" or "--on-timeout" or "--only") continue;
            option.HelpName = Placeholder(option.Name);
        }
        foreach (var sub in command.Subcommands) NamePlaceholders(sub);
    }

    private static string Placeholder(string name) => name switch
    {
        "--output" or "--config" or "--patterns" or "--baseline" or "--findings" or "--report" or "--repos" or "--new-keys"
            or "--audit-log" or "--state" or "--from" or "--password-policy" => "FILE",
        "--out" or "--cache" or "--dir" => "DIR",
        "--include" or "--exclude" => "GLOB",
        "--enable-rule" or "--disable-rule" => "RULE",
        "--threads" or "--jobs" or "--max-depth" or "--recent-use-days" or "--recent-days" => "N",
        "--range" => "A..B",
        "--since-commit" => "SHA",
        "--branch" => "BRANCH",
        "--stdin-name" => "NAME",
        "--shard" => "I/N",
        "--now" => "ISO-8601",
        "--endpoint-url" or "--sts-endpoint-url" => "URL",
        _ when name.EndsWith("-days", StringComparison.Ordinal) || name.EndsWith("-age", StringComparison.Ordinal) => "DAYS",
        _ => name.TrimStart('-').ToUpperInvariant().Replace('-', '_'),
    };

    /// <summary>One line, without .NET's type names ("as expected type 'System.Int32'").</summary>
    public static string OneLine(string message)
    {
        var line = string.Join(' ', message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        return DotNetType().Replace(line, m => m.Groups[1].Value switch
        {
            "Int32" or "Int64" => "as a whole number",
            "Double" or "Decimal" => "as a number",
            "Boolean" => "as true or false",
            _ => "",
        }).Trim();
    }

    [GeneratedRegex(@"as expected type 'System\.(\w+)'")]
    private static partial Regex DotNetType();
}
