using System.Text.RegularExpressions;

namespace KeyGuard.Detection.Detectors;

/// <summary>Amazon Marketplace Web Service auth tokens: amzn.mws. and a UUID. The regex and entropy floor suffice.</summary>
internal static partial class AmazonMwsAuthToken
{
    public static Detector Detector { get; } = new()
    {
        Rule = new Rule
        {
            Id = "amazon-mws-auth-token",
            Title = "Amazon MWS auth token",
            Description = "Amazon Marketplace Web Service auth token: amzn.mws. followed by a UUID.",
            Keywords = ["amzn.mws."],
            Regex = Pattern(),
            MinEntropy = 2.5,
            Severity = "high",
            BuiltIn = true,
        },
        TruePositives = TruePositives,
        FalsePositives = FalsePositives,
        Guidance = new(
            "An Amazon Marketplace Web Service auth token was committed.",
            ["Revoke the developer's access in Seller Central and authorise again to get a new token.",
             "Store the new token in a secret store, not in the repository."],
            null),
    };

    [GeneratedRegex(@"(?<secret>amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    private static IEnumerable<DetectorExample> TruePositives(ExampleCredentials make)
    {
        var token = make.MwsToken();
        yield return new($"mws_auth_token = {token}\n", token);
        token = make.MwsToken();
        yield return new($"<MWSAuthToken>{token}</MWSAuthToken>\n", token);
    }

    private static IEnumerable<string> FalsePositives(ExampleCredentials make)
    {
        yield return "mws_auth_token = amzn.mws.00000000-0000-0000-0000-000000000000\n";
        yield return $"mws_auth_token = amzn.mws.{make.Hex(8).ToUpperInvariant()}\n";
        yield return "see https://docs.developer.amazonservices.com/ for amzn.mws. tokens\n";
    }
}
