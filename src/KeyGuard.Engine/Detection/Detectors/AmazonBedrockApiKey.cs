using System.Text.RegularExpressions;

namespace KeyGuard.Detection.Detectors;

/// <summary>Long-term Amazon Bedrock API keys: ABSK and the base64 of "BedrockAPIKey-&lt;id&gt;-at-&lt;account&gt;:&lt;secret&gt;".</summary>
internal static partial class AmazonBedrockApiKey
{
    public static Detector Detector { get; } = new()
    {
        Rule = new Rule
        {
            Id = "amazon-bedrock-api-key",
            Title = "Amazon Bedrock API key (long-term)",
            Description = "ABSK followed by base64 of \"BedrockAPIKey-<id>-at-<account>:<secret>\".",
            Keywords = ["ABSK"],
            Regex = Pattern(),
            MinEntropy = 4.0,
            Severity = "critical",
            BuiltIn = true,
        },
        TruePositives = TruePositives,
        FalsePositives = FalsePositives,
        Guidance = new(
            "An Amazon Bedrock API key was committed. It lets anyone call Bedrock models billed to the account.",
            ["Revoke the key (long-term keys belong to an IAM user's service-specific credentials; short-term keys expire with their session).",
             "Create a new one for the workload and store it in a secret store, not in the repository."],
            AwsDocs.AccessKeys),
    };

    [GeneratedRegex(@"(?<![A-Za-z0-9+/])(?<secret>ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{40,400}={0,2})(?![A-Za-z0-9+/=])", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    private static IEnumerable<DetectorExample> TruePositives(ExampleCredentials make)
    {
        var key = make.BedrockKey();
        yield return new($"export AWS_BEARER_TOKEN_BEDROCK={key}\n", key);
        key = make.BedrockKey("210987654321");
        yield return new($"bedrock:\n  api_key: \"{key}\"\n", key);
    }

    private static IEnumerable<string> FalsePositives(ExampleCredentials make)
    {
        // ABSK and base64 of something other than a Bedrock key.
        yield return $"value = ABSK{make.Chars(80, ExampleCredentials.Base64Alphabet)}\n";
        yield return "api_key = ABSKQmVkcm9ja0FQSUtleS" + new string('A', 60) + "\n";
    }
}
