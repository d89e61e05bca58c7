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
            MatchIsToken = true,
            RunMayHold = RunMayBeSecret,
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

    [GeneratedRegex(@"(?<![A-Za-z0-9/+%_-])(?<!\b(?:eyJ|ewo)[A-Za-z0-9_-]*\.(?:[A-Za-z0-9_-]*\.)*)(?<secret>(?:[A-Za-z0-9/+]|%2[BbFf]){40,120})(?![A-Za-z0-9/+=%_-])", RegexOptions.CultureInvariant)]
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
    internal static bool LooksLikeSecret(ReadOnlySpan<char> s, double minEntropy) => HasSecretShape(s) && Entropy.Shannon(s) >= minEntropy;

    private static bool HasSecretShape(ReadOnlySpan<char> s)
    {
        // Cheapest first: hashes are the common 40-character run.
        if (Entropy.IsHex(s)) return false;
        bool upper = false, lower = false, other = false;
        foreach (var c in s)
        {
            if (char.IsAsciiLetterUpper(c)) upper = true;
            else if (char.IsAsciiLetterLower(c)) lower = true;
            else other = true;
        }
        return upper && lower && other && !Placeholders.IsPlaceholder(s);
    }

    /// <summary>
    /// Whether a run of base64/URL characters can be a secret <see cref="Validate"/> keeps. The regex's lookarounds
    /// exclude every run character, so a match is a whole run; decoded (each %2B or %2F is one character) it must be
    /// 40 characters of a secret's shape. Hashes, identifiers and long blobs next to a "secret" stop here.
    /// </summary>
    internal static bool RunMayBeSecret(ReadOnlySpan<byte> run)
    {
        // Each escape adds two characters: 40 and an even number more.
        if (run.Length is < 40 or > 120 || (run.Length & 1) != 0) return false;
        int escapes = run.Length == 40 ? 0 : run.Count((byte)'%');
        if (run.Length - 2 * escapes != 40) return false;
        // Escapes are decoded (or the match refused) by the regex and Validate.
        if (escapes > 0) return true;
        // Hashes, the common 40-character run, are ruled out on the bytes.
        if (run.IndexOfAnyExcept(HexBytes) < 0) return false;
        Span<char> chars = stackalloc char[40];
        System.Text.Encoding.Latin1.GetChars(run, chars);
        return HasSecretShape(chars);
    }

    private static readonly System.Buffers.SearchValues<byte> HexBytes = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF"u8);

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
        // After a dot, next to its key ID: a pair joined by '.', a numbered list.
        secret = make.Secret();
        yield return new($"AWS_CREDENTIALS={make.KeyId()}.{secret}\n", secret);
        secret = make.Secret();
        yield return new($"1.{make.KeyId()}\n2.{secret}\n", secret);
        // Encoded (Detection/EncodedText.cs): reported decoded, at the encoded text.
        secret = make.Secret();
        yield return new($"{{\"creds\": \"{Escaped(make.KeyId())}\", \"key\": \"{Escaped(secret)}\"}}\n", secret);
        secret = make.Secret();
        yield return new($"<input name=\"k\" value=\"{Entities(make.KeyId())}\"><input name=\"s\" value=\"{Entities(secret)}\">\n", secret);
        // .NET's JSON writer escapes '+' by default.
        secret = make.Secret().Remove(10, 1).Insert(10, "+");
        yield return new($"{{\"AccessKeyId\":\"{make.KeyId()}\",\"SecretAccessKey\":\"{secret.Replace("+", "\\u002B")}\"}}\n", secret);
        // A JWT whose payload carries the pair.
        secret = make.Secret();
        yield return new($"Authorization: Bearer {Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")}.{Base64Url($"{{\"aws\":{{\"accessKeyId\":\"{make.KeyId()}\",\"secretAccessKey\":\"{secret}\"}}}}")}.{make.Chars(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}\n", secret);
        // A Kubernetes Secret's data: each value base64 on its own.
        secret = make.Secret();
        yield return new($"apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws\ntype: Opaque\ndata:\n  AWS_ACCESS_KEY_ID: {Base64(make.KeyId())}\n  AWS_SECRET_ACCESS_KEY: {Base64(secret)}\n", secret);
        // docker config.json: auths holds base64 of user:password.
        secret = make.Secret();
        yield return new($"{{\"auths\": {{\"registry.example.com\": {{\"auth\": \"{Base64($"{make.KeyId()}:{secret}")}\"}}}}}}\n", secret);
    }

    private static string Escaped(string s) => string.Concat(s.Select(c => $"\\u{(int)c:x4}"));
    private static string Entities(string s) => string.Concat(s.Select((c, i) => i % 2 == 0 ? $"&#{(int)c};" : $"&#x{(int)c:X};"));
    private static string Base64(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s));
    private static string Base64Url(string s) => Base64(s).TrimEnd('=').Replace('+', '-').Replace('/', '_');

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
        // JWT segments of secret size next to a key ID (the payload and the signature follow a dot).
        string Segment(string json) => Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        yield return $"aws_access_key_id = {make.KeyId()}\nid_token = {Segment("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")}.{Segment("{\"sub\":\"" + make.Hex(6) + "\",\"n\":1}")}.{make.Secret().Replace('+', 'x').Replace('/', 'y')}\n";
        // Base64 and escapes of text that holds no credential.
        yield return $"config: {Base64("{\"region\": \"us-east-1\", \"output\": \"json\", \"secret_name\": \"prod/db\"}")}\n";
        yield return "title = \"Caf\\u00e9 &#233;t&eacute; &amp; more\"\n";
        yield return $"secret_token: {Segment("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")}.{make.Secret().Replace('+', 'x').Replace('/', 'y')}.{make.Hex(8)}\n";
    }
}
