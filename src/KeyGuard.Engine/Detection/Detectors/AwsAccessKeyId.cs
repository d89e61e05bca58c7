using System.Text.RegularExpressions;
using KeyGuard.Aws;
using KeyGuard.Findings;

namespace KeyGuard.Detection.Detectors;

/// <summary>AWS access key IDs: AKIA, ASIA, ABIA, ACCA and 16 base32 characters. Secrets and tokens pair with these.</summary>
internal static partial class AwsAccessKeyId
{
    /// <summary>Shared with the secret's detector: both halves of an access key call for the same steps.
    /// Declared before <see cref="Detector"/>: static fields are initialised in the order they are written.</summary>
    internal static readonly Guidance AccessKeyGuidance = new(
        "An AWS access key was committed. Treat it as exposed, even if the commit is removed: anyone who read the repository can use it.",
        ["Find the owner and last use: `keyguard inspect KEYID` (or `keyguard scan --verify`).",
         "Create a new access key, move the workload to it (or better, to a role with temporary credentials), then deactivate and delete the exposed key: `keyguard plan` writes the steps.",
         "Check CloudTrail for use of the key since it was committed.",
         "Remove the key from the code; rewriting history does not un-expose it."],
        AwsDocs.AccessKeys);

    public static Detector Detector { get; } = new()
    {
        Rule = new Rule
        {
            Id = "aws-access-key-id",
            Title = "AWS access key ID",
            Description = "AKIA (long-term), ASIA (temporary), ABIA (STS bearer), ACCA (context-specific) plus 16 base32 characters. IAM unique IDs (AIDA, AROA, ...) are not credentials and are not matched.",
            Keywords = ["AKIA", "ASIA", "ABIA", "ACCA"],
            Reach = 20,
            Regex = Pattern(),
            Check = RuleCheck.AwsKeyId,
            MinEntropy = 3.0,
            Severity = "high",
            Role = CredentialRole.KeyId,
            BuiltIn = true,
        },
        CheckName = "aws-key-id",
        TruePositives = TruePositives,
        FalsePositives = FalsePositives,
        Guidance = AccessKeyGuidance,
    };

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>The key ID itself, or null for placeholders, low-entropy runs and words that happen to fit.</summary>
    public static string? Validate(Rule rule, string raw)
    {
        if (Placeholders.IsPlaceholder(raw) || Entropy.Shannon(raw) < rule.MinEntropy) return null;
        // ASIA + PACIFICNORTHEAST is an enum of regions, not a key.
        if (WordLikeness.IsWordLike(raw, bodyStart: 4)) return null;
        return raw;
    }

    /// <summary>What a key ID says offline: its kind and, for new-format IDs, its account.</summary>
    public static void Describe(Finding keyId, string id)
    {
        keyId.KeyId = id;
        keyId.Account = AccessKeyId.DecodeAccount(id);
        keyId.KeyKind = AccessKeyId.KindName(AccessKeyId.KindOf(id));
    }

    private static IEnumerable<DetectorExample> TruePositives(ExampleCredentials make)
    {
        var id = make.KeyId();
        yield return new($"aws_access_key_id = {id}\n", id);
        id = make.KeyId("ASIA", "210987654321");
        yield return new($"export AWS_ACCESS_KEY_ID=\"{id}\"\n", id);
        id = make.KeyId("ABIA");
        yield return new($"{{\"AccessKeyId\": \"{id}\"}}\n", id);
        id = make.KeyId("ACCA");
        yield return new($"key: {id}\n", id);
    }

    private static IEnumerable<string> FalsePositives(ExampleCredentials make)
    {
        yield return "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n";
        // Built from parts so that no committed line looks like a key ID.
        yield return "aws_access_key_id = AKIA" + new string('X', 16) + "\n";
        yield return $"role_id = AROA{make.Chars(16, ExampleCredentials.Base32Alphabet)}\nuser_id = AIDA{make.Chars(16, ExampleCredentials.Base32Alphabet)}\n";
        yield return $"enum Region {{ {"ASIA" + "PACIFICNORTHEAST"}, {"ACCA" + "OUNTSTATUSACTIVE"} }}\n";
        // Upper-case constants that start with a key prefix and are made of dictionary words.
        yield return $"DEPLOY_TARGET = \"{"AKIA" + "PRODUCTIONDEPLOY"}\"\nRANKING = \"{"ABIA" + "LITYSCORERANKING"}\"\nVIEW = {"ACCA" + "PAYMENTSCHEDULED"}\n";
        yield return $"id = AKIA{make.Chars(12, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")}0189\n";
    }
}
