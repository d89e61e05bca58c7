using System.Text.RegularExpressions;

namespace KeyGuard.Detection.Detectors;

/// <summary>
/// AWS AppSync API keys: <c>da2-</c> and 26 lowercase letters and digits. They authorise calls to a GraphQL API and
/// turn up in front-end bundles and amplify configs (aws_appsync_apiKey). The regex and entropy floor suffice.
/// </summary>
internal static partial class AwsAppSyncApiKey
{
    public static Detector Detector { get; } = new()
    {
        Rule = new Rule
        {
            Id = "aws-appsync-api-key",
            Title = "AWS AppSync API key",
            Description = "AWS AppSync GraphQL API key: da2- followed by 26 lowercase letters and digits.",
            Keywords = ["da2-"],
            Regex = Pattern(),
            MinEntropy = 3.5,
            Severity = "medium",
            BuiltIn = true,
        },
        TruePositives = TruePositives,
        FalsePositives = FalsePositives,
        Guidance = new(
            "An AWS AppSync API key was committed. Anyone holding it can call the GraphQL API it belongs to, until it expires.",
            ["Delete the key in the AppSync console (API settings) or with `aws appsync delete-api-key`, and create a new one.",
             "Prefer IAM, Cognito or OIDC authorisation for anything that is not public; keep API keys out of the repository."],
            "https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html"),
    };

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])(?<secret>da2-[a-z0-9]{26})(?![A-Za-z0-9_-])", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    private static IEnumerable<DetectorExample> TruePositives(ExampleCredentials make)
    {
        var key = "da2-" + make.Chars(26, "abcdefghijklmnopqrstuvwxyz0123456789");
        yield return new($"  \"aws_appsync_apiKey\": \"{key}\",\n", key);
        key = "da2-" + make.Chars(26, "abcdefghijklmnopqrstuvwxyz0123456789");
        yield return new($"const client = new AWSAppSyncClient({{ auth: {{ type: 'API_KEY', apiKey: '{key}' }} }});\n", key);
    }

    private static IEnumerable<string> FalsePositives(ExampleCredentials make)
    {
        yield return "apiKey: da2-xxxxxxxxxxxxxxxxxxxxxxxxxx\n";                   // a placeholder: no entropy
        yield return "apiKey: da2-00000000000000000000000000\n";
        yield return $"apiKey: da2-{make.Chars(20, "abcdefghijklmnopqrstuvwxyz0123456789")}\n";   // too short
        yield return $"id: abcda2-{make.Chars(26, "abcdefghijklmnopqrstuvwxyz0123456789")}\n";  // inside a longer word
        yield return $"apiKey: da2-{make.Chars(26, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}\n";  // upper case: not this shape
    }
}
