using System.Text.RegularExpressions;

namespace KeyGuard.Detection.Detectors;

/// <summary>Short-term Amazon Bedrock API keys: bedrock-api-key- and the base64 of a presigned Bedrock URL.</summary>
internal static partial class AmazonBedrockApiKeyShortTerm
{
    public static Detector Detector { get; } = new()
    {
        Rule = new Rule
        {
            Id = "amazon-bedrock-api-key-short-term",
            Title = "Amazon Bedrock API key (short-term)",
            Description = "bedrock-api-key- followed by base64 of a presigned bedrock.amazonaws.com URL.",
            Keywords = ["bedrock-api-key-"],
            MaxWindow = 8192,
            Regex = Pattern(),
            MinEntropy = 4.0,
            Severity = "high",
            BuiltIn = true,
        },
        TruePositives = TruePositives,
        FalsePositives = FalsePositives,
        Guidance = AmazonBedrockApiKey.Detector.Guidance,
    };

    [GeneratedRegex(@"(?<![A-Za-z0-9+/-])(?<secret>bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/%]{40,4000}(?:=|%3D){0,2})", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    private static IEnumerable<DetectorExample> TruePositives(ExampleCredentials make)
    {
        var key = make.BedrockShortTermKey();
        yield return new($"export AWS_BEARER_TOKEN_BEDROCK={key}\n", key);
    }

    private static IEnumerable<string> FalsePositives(ExampleCredentials make)
    {
        // The prefix alone, as in documentation.
        yield return "Short-term keys start with bedrock-api-key- and expire after 12 hours.\n";
        // A presigned URL for another host.
        yield return $"token = bedrock-api-key-{Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("s3.amazonaws.com/?X-Amz-Signature=" + make.Hex(64)))}\n";
    }
}
