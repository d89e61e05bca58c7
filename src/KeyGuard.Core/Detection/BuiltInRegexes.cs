using System.Text.RegularExpressions;

namespace KeyGuard.Detection;

/// <summary>
/// The shipped rules' regexes, compiled to C# at build time. NativeAOT cannot compile regexes at run time, and its
/// interpreter was a twentieth of a scan's CPU; a rule file's regex is taken from here when its pattern is one of
/// these, character for character (a test keeps the two in step), and interpreted otherwise.
/// </summary>
internal static partial class BuiltInRegexes
{
    private const RegexOptions Options = RegexOptions.CultureInvariant;

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])", Options)]
    private static partial Regex AwsAccessKeyId();

    [GeneratedRegex(@"(?<![A-Za-z0-9/+%_.-])(?<secret>(?:[A-Za-z0-9/+]|%2[BbFf]){40,120})(?![A-Za-z0-9/+=%_-])", Options)]
    private static partial Regex AwsSecretAccessKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9/+%_.-])(?<secret>(?:[A-Za-z0-9/+]|%2[BbFf]){100,}(?:=|%3[Dd]){0,2})(?![A-Za-z0-9/+=%_.-])", Options)]
    private static partial Regex AwsSessionToken();

    [GeneratedRegex(@"(?<secret>amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", Options)]
    private static partial Regex AmazonMwsAuthToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/])(?<secret>ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{40,400}={0,2})(?![A-Za-z0-9+/=])", Options)]
    private static partial Regex AmazonBedrockApiKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/-])(?<secret>bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/%]{40,4000}(?:=|%3D){0,2})", Options)]
    private static partial Regex AmazonBedrockApiKeyShortTerm();

    [GeneratedRegex(@"(?i)(?:key|secret|token|passw(?:or)?d|pwd|credential|auth)[\w.-]{0,30}[""']?\s*(?::=|=>|[:=])\s*[""'](?<secret>[A-Za-z0-9+/=_-]{20,200})[""']", Options)]
    private static partial Regex GenericHighEntropy();

    private static readonly Dictionary<string, Func<Regex>> ByPattern = new(StringComparer.Ordinal)
    {
        [AwsAccessKeyId().ToString()] = AwsAccessKeyId,
        [AwsSecretAccessKey().ToString()] = AwsSecretAccessKey,
        [AwsSessionToken().ToString()] = AwsSessionToken,
        [AmazonMwsAuthToken().ToString()] = AmazonMwsAuthToken,
        [AmazonBedrockApiKey().ToString()] = AmazonBedrockApiKey,
        [AmazonBedrockApiKeyShortTerm().ToString()] = AmazonBedrockApiKeyShortTerm,
        [GenericHighEntropy().ToString()] = GenericHighEntropy,
    };

    /// <summary>The compiled form of a shipped pattern; null for any other pattern.</summary>
    public static Regex? For(string pattern) => ByPattern.TryGetValue(pattern, out var make) ? make() : null;

    public static int Count => ByPattern.Count;
}
