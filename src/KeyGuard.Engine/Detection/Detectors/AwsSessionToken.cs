using System.Text.RegularExpressions;
using KeyGuard.Findings;

namespace KeyGuard.Detection.Detectors;

/// <summary>
/// AWS session tokens: a long base64 value after a session-token key name, or, whatever it is called (<c>token</c>,
/// <c>session</c>, the instance-metadata JSON's <c>Token</c>, a positional argument), within a few lines of a
/// temporary (ASIA) key ID or of that key's secret.
/// </summary>
internal static partial class AwsSessionToken
{
    public static Detector Detector { get; } = new()
    {
        Rule = new Rule
        {
            Id = "aws-session-token",
            Title = "AWS session token",
            Description = "A long base64 token after a session-token key name (AWS_SESSION_TOKEN, aws_session_token, SessionToken, X-Amz-Security-Token), or after token/session (or none) within five lines of a temporary (ASIA) key ID or its secret.",
            // One short keyword keeps the prefilter on its fast path; Validate then asks for "session" or "security".
            Keywords = ["token"],
            Reach = 200,
            MinRun = 100,
            MaxWindow = 16384,
            PairKeywords = ["ASIA"],
            LinesBefore = 10,
            LinesAfter = 10,
            Regex = Pattern(),
            MatchIsToken = true,
            Check = RuleCheck.AwsSessionToken,
            MinEntropy = 4.5,
            Severity = "critical",
            Role = CredentialRole.SessionToken,
            PairsWith = new Pairing(CredentialRole.KeyId, WithinLines: 5, KeyIdPrefix: "ASIA", Via: CredentialRole.Secret),
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

    /// <summary>
    /// The decoded token, or null when it is not one. <paramref name="needsPair"/>: no session-token key name precedes
    /// it, so it is reported only next to a temporary key ID (or its secret).
    /// </summary>
    public static string? Validate(Rule rule, ReadOnlySpan<char> text, int index, string raw, out bool needsPair)
    {
        needsPair = false;
        var token = CredentialText.UrlDecodeBase64(raw);
        if (token.Length < 100 || Entropy.IsHex(token) || Entropy.Shannon(token) < rule.MinEntropy) return null;
        if (Placeholders.IsPlaceholder(token)) return null;
        // A session token sits after a key name with "session" or "security" in it, not after any "token".
        if (CredentialText.HasContextBefore(text, index, 60, "session") || CredentialText.HasContextBefore(text, index, 60, "security")) return token;
        // Otherwise only the names people give it, or none at all (a positional argument, a CSV field), and only
        // with a temporary key close by: a certificate, an image or a hash has neither.
        if (CredentialText.KeyNameBefore(text, index) is not { } name) return null;
        if (name.Length > 0 && !name.Contains("token", StringComparison.OrdinalIgnoreCase) && !name.Contains("session", StringComparison.OrdinalIgnoreCase)) return null;
        needsPair = true;
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
        // EC2 instance metadata (iam/security-credentials/ROLE): "Token", next to its ASIA key.
        token = make.SessionToken();
        yield return new("{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2026-12-06T10:00:00Z\",\n  \"Type\" : \"AWS-HMAC\",\n" +
            $"  \"AccessKeyId\" : \"{make.KeyId("ASIA")}\",\n  \"SecretAccessKey\" : \"{make.Secret()}\",\n  \"Token\" : \"{token}\",\n" +
            "  \"Expiration\" : \"2026-12-06T16:00:00Z\"\n}\n", token);
        // ECS task role credentials (the container credentials endpoint): one line.
        token = make.SessionToken();
        yield return new($"{{\"RoleArn\":\"arn:aws:iam::123456789012:role/task\",\"AccessKeyId\":\"{make.KeyId("ASIA")}\",\"SecretAccessKey\":\"{make.Secret()}\",\"Token\":\"{token}\",\"Expiration\":\"2026-12-06T16:00:00Z\"}}\n", token);
        // The AWS CLI's assumed-role cache (~/.aws/cli/cache/*.json): the triple under Credentials.
        token = make.SessionToken();
        yield return new($"{{\"Credentials\": {{\"AccessKeyId\": \"{make.KeyId("ASIA")}\", \"SecretAccessKey\": \"{make.Secret()}\", \"SessionToken\": \"{token}\", \"Expiration\": \"2026-12-06T11:00:00+00:00\"}}, \"AssumedRoleUser\": {{\"AssumedRoleId\": \"AROA{make.Chars(17, ExampleCredentials.Base32Alphabet)}:botocore-session-1765015200\", \"Arn\": \"arn:aws:sts::123456789012:assumed-role/deploy/botocore-session-1765015200\"}}}}", token);
        // YAML and XML under names of their own.
        token = make.SessionToken();
        yield return new($"aws:\n  key: {make.KeyId("ASIA")}\n  secret: {make.Secret()}\n  session: {token}\n", token);
        token = make.SessionToken();
        yield return new($"<credentials>\n  <key>{make.KeyId("ASIA")}</key>\n  <session>{token}</session>\n</credentials>\n", token);
        token = make.SessionToken();
        yield return new($"creds:\n  id: {make.KeyId("ASIA")}\n  token: \"{token}\"\n", token);
        // A positional argument.
        token = make.SessionToken();
        yield return new($"new SessionAWSCredentials(\"{make.KeyId("ASIA")}\", \"{make.Secret()}\",\n    \"{token}\");\n", token);
        // Next to the temporary key's secret, further from the key ID itself.
        token = make.SessionToken();
        yield return new($"id: {make.KeyId("ASIA")}\n#\n#\n#\nsecret: {make.Secret()}\n#\n#\n#\ntoken: {token}\n", token);
    }

    private static IEnumerable<string> FalsePositives(ExampleCredentials make)
    {
        // Any other token, however random.
        yield return $"auth_token = {make.SessionToken()}\n";
        yield return $"session_token = {make.Hex(128)}\n";
        yield return $"session_token = {Guid.NewGuid()}\n";
        yield return "aws_session_token = " + new string('A', 200) + "\n";
        // A token-like value with no temporary key nearby: a long-term key has no session token.
        yield return $"token: {make.SessionToken()}\n";
        yield return $"aws_access_key_id: {make.KeyId()}\ntoken: {make.SessionToken()}\n";
        // Long base64 next to a temporary key that is no token: an image, a certificate, a hash.
        yield return $"key: {make.KeyId("ASIA")}\nlogo: \"data:image/png;base64,{make.Chars(400, ExampleCredentials.Base64Alphabet)}\"\n";
        yield return $"key: {make.KeyId("ASIA")}\ncertificate: {make.Chars(600, ExampleCredentials.Base64Alphabet)}\n";
        yield return $"key: {make.KeyId("ASIA")}\nsha512: {make.Hex(128)}\n";
        // Too far from the key: twenty lines apart.
        yield return $"key: {make.KeyId("ASIA")}\n" + string.Concat(Enumerable.Repeat("#\n", 20)) + $"token: {make.SessionToken()}\n";
    }
}
