using System.Text.Json;
using System.Text.Json.Serialization;

namespace KeyGuard.Reporting;

// SARIF 2.1.0 as KeyGuard writes it: only the parts GitHub code scanning reads. Serialised with ScanJsonContext.

internal sealed record SarifLog(
    [property: JsonPropertyName("$schema")] string Schema, string Version, IReadOnlyList<SarifRun> Runs);

internal sealed record SarifRun(SarifTool Tool, IEnumerable<SarifResult> Results, IReadOnlyList<SarifInvocation> Invocations);

internal sealed record SarifTool(SarifDriver Driver);

internal sealed record SarifDriver(string Name, string Version, string SemanticVersion, IReadOnlyList<SarifRule> Rules);

internal sealed record SarifRule(
    string Id, string Name, SarifText ShortDescription, SarifText FullDescription, string? HelpUri, SarifHelp Help,
    SarifConfiguration DefaultConfiguration, SarifRuleProperties Properties);

internal sealed record SarifText(string Text);

internal sealed record SarifHelp(string Text, string Markdown);

internal sealed record SarifConfiguration(string Level);

internal sealed record SarifRuleProperties(
    IReadOnlyList<string> Tags, [property: JsonPropertyName("security-severity")] string SecuritySeverity);

internal sealed record SarifResult(
    string RuleId, int? RuleIndex, string Level, SarifText Message, IReadOnlyList<SarifLocation> Locations,
    SarifFingerprints PartialFingerprints, SarifResultProperties Properties);

internal sealed record SarifLocation(SarifPhysicalLocation PhysicalLocation);

internal sealed record SarifPhysicalLocation(SarifArtifactLocation ArtifactLocation, SarifRegion Region);

internal sealed record SarifArtifactLocation(string Uri);

internal sealed record SarifRegion(int StartLine, int StartColumn, int EndLine, int EndColumn);

internal sealed record SarifFingerprints([property: JsonPropertyName("keyguard/v1")] string KeyGuardV1);

internal sealed class SarifResultProperties
{
    public required string Severity { get; init; }
    public string? KeyId { get; init; }
    public string? Account { get; init; }
    public string? KeyKind { get; init; }
    public string? Commit { get; init; }
    /// <summary>The key's IAM facts as flat "aws.*" properties (a SARIF property bag holds no nesting GitHub shows).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Aws { get; set; } // set, not init: the serialiser cannot bind extension data to an initializer
}

internal sealed record SarifInvocation(bool ExecutionSuccessful, IReadOnlyList<SarifNotification> ToolExecutionNotifications);

internal sealed record SarifNotification(string Level, SarifText Message);
