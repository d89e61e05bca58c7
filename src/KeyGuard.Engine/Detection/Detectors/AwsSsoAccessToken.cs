using System.Text.RegularExpressions;

namespace KeyGuard.Detection.Detectors;

/// <summary>
/// IAM Identity Center (SSO) access tokens from the AWS CLI/SDK token cache (<c>~/.aws/sso/cache/*.json</c>): the
/// <c>accessToken</c> of a JSON object that also holds the portal's <c>startUrl</c> and the token's <c>expiresAt</c>.
/// Until it expires the token gets role credentials for every account the user may reach through the portal.
/// </summary>
internal static partial class AwsSsoAccessToken
{
    public static Detector Detector { get; } = new()
    {
        Rule = new Rule
        {
            Id = "aws-sso-access-token",
            Title = "AWS IAM Identity Center (SSO) access token",
            Description = "accessToken of an AWS SSO token cache file (~/.aws/sso/cache/*.json): a JSON object with startUrl and expiresAt.",
            Keywords = ["accessToken"],
            // accessToken is common in SDK code: the regex runs only where a long base64 run is near it.
            MinRun = 60,
            MaxWindow = 16384,
            Regex = Pattern(),
            Check = RuleCheck.AwsSsoToken,
            MinEntropy = 4.0,
            Severity = "high",
            BuiltIn = true,
        },
        CheckName = "aws-sso-token",
        Guidance = new(
            "An AWS IAM Identity Center (SSO) access token from the CLI's cache was committed. Until it expires it gets role credentials for every account and role its user can reach.",
            ["Sign the user out of the access portal (`aws sso logout`), or revoke their sessions in IAM Identity Center, so the token stops working.",
             "Remove the cache file from the repository and add `.aws/` to .gitignore."],
            "https://docs.aws.amazon.com/singlesignon/latest/userguide/authconcept.html"),
        TruePositives = TruePositives,
        FalsePositives = FalsePositives,
    };

    [GeneratedRegex(@"(?<![A-Za-z0-9_])accessToken""\s*:\s*""(?<secret>[A-Za-z0-9+/=_:.-]{60,8192})""", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>How far around the token the cache file's other fields are looked for.</summary>
    private const int ObjectReach = 4096;

    /// <summary>The token, or null when it is a placeholder, too regular, or not in an SSO token cache object.</summary>
    public static string? Validate(Rule rule, ReadOnlySpan<char> text, int index, string raw)
    {
        if (Placeholders.IsPlaceholder(raw) || Entropy.Shannon(raw) < rule.MinEntropy) return null;
        int from = Math.Max(0, index - ObjectReach), to = Math.Min(text.Length, index + raw.Length + ObjectReach);
        var around = text[from..to];
        // Other services' OAuth responses also say accessToken (and often expiresAt); only the SSO cache names the portal.
        return around.Contains("\"startUrl\"", StringComparison.Ordinal) && around.Contains("\"expiresAt\"", StringComparison.Ordinal) ? raw : null;
    }

    private static IEnumerable<DetectorExample> TruePositives(ExampleCredentials make)
    {
        // As the CLI writes it: one line.
        var token = make.SsoAccessToken();
        yield return new($"{{\"startUrl\": \"https://my-sso-portal.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"{token}\", \"expiresAt\": \"2026-12-06T18:00:00Z\"}}", token);
        // An sso-session cache file, pretty-printed, with its client registration.
        token = make.SsoAccessToken();
        yield return new("{\n  \"startUrl\": \"https://d-1234567890.awsapps.com/start\",\n  \"region\": \"eu-west-1\",\n" +
            $"  \"accessToken\": \"{token}\",\n  \"expiresAt\": \"2026-12-06T18:00:00Z\",\n  \"clientId\": \"{make.Chars(22, ExampleCredentials.Base64Alphabet)}\",\n" +
            "  \"registrationExpiresAt\": \"2027-03-06T10:00:00Z\"\n}\n", token);
    }

    private static IEnumerable<string> FalsePositives(ExampleCredentials make)
    {
        // Another service's OAuth reply: accessToken and expiresAt, but no SSO portal.
        yield return $"{{\"accessToken\": \"{make.SsoAccessToken()}\", \"tokenType\": \"Bearer\", \"expiresAt\": 1765044000}}\n";
        // The cache's shape with a placeholder, as in documentation and tests.
        yield return "{\"startUrl\": \"https://my-sso-portal.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"" + new string('x', 80) + "\", \"expiresAt\": \"2026-12-06T18:00:00Z\"}\n";
        yield return "{\"startUrl\": \"https://my-sso-portal.awsapps.com/start\", \"accessToken\": \"<YOUR_ACCESS_TOKEN_FROM_THE_SSO_CACHE_FILE_GOES_HERE_1234567890>\", \"expiresAt\": \"2026-12-06T18:00:00Z\"}\n";
    }
}
