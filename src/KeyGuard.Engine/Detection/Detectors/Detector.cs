namespace KeyGuard.Detection.Detectors;

/// <summary>
/// One built-in detector: the rule the engine runs (regex, keywords, windows, validation, role, pairing, severity)
/// and the examples the test suite runs through the engine. Each lives in its own file beside its validation.
/// </summary>
internal sealed record Detector
{
    public required Rule Rule { get; init; }
    /// <summary>
    /// The name a rule file's <c>check =</c> gives this detector's validation, so a user rule can borrow it (with its
    /// role and pairing); null when the detector needs only its regex and entropy floor.
    /// </summary>
    public string? CheckName { get; init; }
    /// <summary>Texts holding a credential this detector must report, with the value it reports.</summary>
    public required Func<ExampleCredentials, IEnumerable<DetectorExample>> TruePositives { get; init; }
    /// <summary>Texts this detector must not report anything in.</summary>
    public required Func<ExampleCredentials, IEnumerable<string>> FalsePositives { get; init; }
    /// <summary>What to do about a finding, for reports that carry rule help (SARIF, GitLab, the hooks' message).</summary>
    public Guidance? Guidance { get; init; }

    public string Id => Rule.Id;
}

/// <summary>What a finding means and the steps to take, with the AWS page that explains them.</summary>
/// <param name="Summary">What was found and why it matters, one or two sentences of plain text.</param>
/// <param name="Steps">What to do, in order (Markdown code spans allowed).</param>
internal sealed record Guidance(string Summary, IReadOnlyList<string> Steps, string? Uri);

/// <summary>The AWS pages guidance links to.</summary>
internal static class AwsDocs
{
    public const string AccessKeys = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html";
    public const string RevokeSessions = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html";
}

/// <summary>A text and the value a detector must report in it.</summary>
internal sealed record DetectorExample(string Text, string Reported);

