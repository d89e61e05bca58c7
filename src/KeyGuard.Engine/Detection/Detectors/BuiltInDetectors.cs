using KeyGuard.Findings;

namespace KeyGuard.Detection.Detectors;

/// <summary>
/// Every built-in detector, in the order the shipped rule files list them. Adding one is a new file and a line here
/// (and its block in <c>patterns/*.rules</c>, which a test keeps equal to it).
/// </summary>
internal static class BuiltInDetectors
{
    public static IReadOnlyList<Detector> All { get; } =
    [
        AwsAccessKeyId.Detector,
        AwsSecretAccessKey.Detector,
        AwsSessionToken.Detector,
        AmazonMwsAuthToken.Detector,
        AmazonBedrockApiKey.Detector,
        AmazonBedrockApiKeyShortTerm.Detector,
        AwsAppSyncApiKey.Detector,
        AwsSsoAccessToken.Detector,
        GenericHighEntropy.Detector,
    ];

    private static readonly Dictionary<string, Detector> ById = All.ToDictionary(d => d.Id, StringComparer.Ordinal);

    /// <summary>
    /// The role of a built-in rule's findings, for findings read back by rule id (JSON reports, the org state);
    /// <see cref="CredentialRole.Other"/> for any other rule.
    /// </summary>
    public static CredentialRole RoleOf(string ruleId) => ById.TryGetValue(ruleId, out var d) ? d.Rule.Role : CredentialRole.Other;

    /// <summary>The detector whose validation a rule file's <c>check = name</c> names; null if none.</summary>
    public static Detector? WithCheck(string name) => All.FirstOrDefault(d => d.CheckName == name);
}
