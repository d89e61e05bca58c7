using System.Text.RegularExpressions;
using KeyGuard.Findings;

namespace KeyGuard.Detection.Detectors;

/// <summary>AWS session tokens: a long base64 value after a session-token key name.</summary>
internal static partial class AwsSessionToken
{
    public static Detector Detector { get; } = new()
    {
        Rule = new Rule
        {
            Id = "aws-session-token",
            Title = "AWS session token",
            Description = "A long base64 token after a session-token key name (AWS_SESSION_TOKEN, aws_session_token, SessionToken, X-Amz-Security-Token).",
            // One short keyword keeps the prefilter on its fast path; Validate then asks for "session" or "security".
            Keywords = ["token"],
            Reach = 200,
            MinRun = 100,
            MaxWindow = 16384,
            Regex = Pattern(),
            Check = RuleCheck.AwsSessionToken,
            MinEntropy = 4.5,
            Severity = "critical",
            Role = CredentialRole.SessionToken,
            PairsWith = new Pairing(CredentialRole.KeyId, WithinLines: 5),
            BuiltIn = true,
        },
        CheckName = "aws-session-token",
        TruePositives = TruePositives,
        FalsePositives = FalsePositives,
        Guidance = new(
            "An AWS session token (temporary credentials) was committed. It works until it expires, up to 36 hours.",
            ["Revoke the role's active sessions (IAM console: Revoke active sessions), or wait for expiry if it is short.",
             "Find out how the token was written to the file and stop it (a shell history, a debug dump, a copied ~/.aws/credentials)."],
            AwsDocs.RevokeSessions),
    };

    [GeneratedRegex(@"(?<![A-Za-z0-9/+%_.-])(?<secret>(?:[A-Za-z0-9/+]|%2[BbFf]){100,}(?:=|%3[Dd]){0,2})(?![A-Za-z0-9/+=%_.-])", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>The decoded token, or null when it is not one.</summary>
    public static string? Validate(Rule rule, ReadOnlySpan<char> text, int index, string raw)
    {
        var token = CredentialText.UrlDecodeBase64(raw);
        if (token.Length < 100 || Entropy.IsHex(token) || Entropy.Shannon(token) < rule.MinEntropy) return null;
        // A session token sits after a key name with "session" or "security" in it, not after any "token".
        if (!CredentialText.HasContextBefore(text, index, 60, "session") && !CredentialText.HasContextBefore(text, index, 60, "security")) return null;
        if (Placeholders.IsPlaceholder(token)) return null;
        return token;
    }

    private static IEnumerable<DetectorExample> TruePositives(ExampleCredentials make)
    {
        var token = make.SessionToken();
        yield return new($"aws_session_token = {token}\n", token);
        token = make.SessionToken();
        yield return new($"{{\"Credentials\": {{\"AccessKeyId\": \"{make.KeyId("ASIA")}\", \"SessionToken\": \"{token}\"}}}}\n", token);
        // In a presigned URL: reported decoded.
        token = make.SessionToken();
        yield return new($"https://bucket.s3.amazonaws.com/o?X-Amz-Security-Token={Uri.EscapeDataString(token)}&X-Amz-Expires=300\n", token);
    }

    private static IEnumerable<string> FalsePositives(ExampleCredentials make)
    {
        // Any other token, however random.
        yield return $"auth_token = {make.SessionToken()}\n";
        yield return $"session_token = {make.Hex(128)}\n";
        yield return $"session_token = {Guid.NewGuid()}\n";
        yield return "aws_session_token = " + new string('A', 200) + "\n";
    }
}
