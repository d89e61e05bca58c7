using System.Text.RegularExpressions;

namespace KeyGuard.Detection.Detectors;

/// <summary>
/// High-entropy values assigned to secret-like names. Off by default: not AWS-specific, and far less precise than
/// the AWS detectors. Its validation is the rule files' <c>check = entropy</c>.
/// </summary>
internal static partial class GenericHighEntropy
{
    public static Detector Detector { get; } = new()
    {
        Rule = new Rule
        {
            Id = "generic-high-entropy",
            Title = "High-entropy value assigned to a secret-like name",
            Keywords = ["key", "secret", "token", "passw", "pwd", "credential", "auth"],
            Regex = Pattern(),
            Check = RuleCheck.Entropy,
            MinEntropy = 4.2,
            MinHexEntropy = 3.2,
            MinLength = 20,
            Severity = "medium",
            Enabled = false,
            BuiltIn = true,
        },
        CheckName = "entropy",
        TruePositives = TruePositives,
        FalsePositives = FalsePositives,
    };

    [GeneratedRegex(@"(?i)(?:key|secret|token|passw(?:or)?d|pwd|credential|auth)[\w.-]{0,30}[""']?\s*(?::=|=>|[:=])\s*[""'](?<secret>[A-Za-z0-9+/=_-]{20,200})[""']", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>The value, or null when it is short, a placeholder, too regular, or one letter class (a word or a constant name).</summary>
    public static string? Validate(Rule rule, string raw)
    {
        if (raw.Length < rule.MinLength || Placeholders.IsPlaceholder(raw)) return null;
        // Hex carries 4 bits per character at most, so it gets its own floor.
        double floor = Entropy.IsHex(raw) ? rule.MinHexEntropy : rule.MinEntropy;
        if (Entropy.Shannon(raw) < floor) return null;
        if (!raw.Any(char.IsAsciiDigit) && !raw.Any(c => c is '+' or '/')) return null;
        return raw;
    }

    private static IEnumerable<DetectorExample> TruePositives(ExampleCredentials make)
    {
        var value = make.Secret();
        yield return new($"api_key = \"{value}\"\n", value);
        value = make.Hex(40);
        yield return new($"\"webhookToken\": \"{value}\",\n", value);
    }

    private static IEnumerable<string> FalsePositives(ExampleCredentials make)
    {
        yield return "password = \"changeme-changeme-changeme\"\n";
        yield return "token_name = \"ThisIsALongConstantNameNotASecret\"\n";
        yield return "api_key = \"${API_KEY}\"\n";
    }
}
