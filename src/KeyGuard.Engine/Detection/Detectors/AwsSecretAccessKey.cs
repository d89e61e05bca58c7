using System.Text.RegularExpressions;
using KeyGuard.Findings;

namespace KeyGuard.Detection.Detectors;

/// <summary>
/// AWS secret access keys: 40 base64 characters after a key name containing "secret", or with no name at all when a
/// key ID sits within five lines (the console's CSV, SDK constructors, copy-pasted pairs).
/// </summary>
internal static partial class AwsSecretAccessKey
{
    public static Detector Detector { get; } = new()
    {
        Rule = new Rule
        {
            Id = "aws-secret-access-key",
            Title = "AWS secret access key",
            Description = "40 characters of base64 in a credential context (a key name containing \"secret\") or within five lines of an access key ID. URL-encoded forms are decoded; hex digests, example keys and low-entropy runs are not reported.",
            Keywords = ["secret"],
            Reach = 110,
            MinRun = 40,
            PairKeywords = ["AKIA", "ASIA", "ABIA", "ACCA"],
            LinesBefore = 5,
            LinesAfter = 5,
            Regex = Pattern(),
            Check = RuleCheck.AwsSecret,
            MinEntropy = 4.25,
            Severity = "critical",
            Role = CredentialRole.Secret,
            PairsWith = new Pairing(CredentialRole.KeyId, WithinLines: 5),
            BuiltIn = true,
        },
        CheckName = "aws-secret",
        TruePositives = TruePositives,
        FalsePositives = FalsePositives,
        Guidance = AwsAccessKeyId.AccessKeyGuidance,
    };

    [GeneratedRegex(@"(?<![A-Za-z0-9/+%_.-])(?<secret>(?:[A-Za-z0-9/+]|%2[BbFf]){40,120})(?![A-Za-z0-9/+=%_-])", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>
    /// The decoded secret, or null when it is not one. <paramref name="needsPair"/>: no "secret" key name precedes it,
    /// so it is reported only if a key ID is close enough to pair with.
    /// </summary>
    public static string? Validate(Rule rule, ReadOnlySpan<char> text, int index, string raw, out bool needsPair)
    {
        needsPair = false;
        var secret = CredentialText.UrlDecodeBase64(raw);
        if (secret.Length != 40 || !LooksLikeSecret(secret, rule.MinEntropy)) return null;
        needsPair = !CredentialText.HasContextBefore(text, index, 100, "secret");
        return secret;
    }

    /// <summary>Random 40-character base64 has both cases and a digit or '/' or '+'; a hex digest, a word run or
    /// a low-entropy string is not a secret key.</summary>
    internal static bool LooksLikeSecret(string s, double minEntropy)
    {
        if (Entropy.IsHex(s) || Placeholders.IsPlaceholder(s)) return false;
        bool upper = false, lower = false, other = false;
        foreach (var c in s)
        {
            if (char.IsAsciiLetterUpper(c)) upper = true;
            else if (char.IsAsciiLetterLower(c)) lower = true;
            else other = true;
        }
        return upper && lower && other && Entropy.Shannon(s) >= minEntropy;
    }

    private static IEnumerable<DetectorExample> TruePositives(ExampleCredentials make)
    {
        var secret = make.Secret();
        yield return new($"aws_secret_access_key = {secret}\n", secret);
        // No key name: kept because a key ID is on the next line (the console's access-key CSV).
        secret = make.Secret();
        yield return new($"Access key ID,Secret access key\n{make.KeyId()},{secret}\n", secret);
        secret = make.Secret();
        yield return new($"new BasicAWSCredentials(\"{make.KeyId()}\",\n    \"{secret}\");\n", secret);
        // URL-encoded in a form body: reported decoded.
        secret = make.Secret();
        yield return new($"secretKey={secret.Replace("/", "%2F").Replace("+", "%2B")}&region=us-east-1\n", secret);
    }

    private static IEnumerable<string> FalsePositives(ExampleCredentials make)
    {
        yield return "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
        // The S3 REST authentication guide's example pair, as botocore's signer tests carry it.
        yield return "access_key = '44CF9590006BF252F707'\nsecret_key = 'OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV'\n";
        yield return "aws_secret_access_key = <YOUR_SECRET_ACCESS_KEY>\nAWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}\n";
        yield return "aws_secret_access_key = aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd\n";
        yield return $"secret_sha = \"{make.Hex(40)}\"\n";
        // Random base64 with neither a key name nor a key ID nearby.
        yield return $"blob = {make.Secret()}\n";
    }
}
