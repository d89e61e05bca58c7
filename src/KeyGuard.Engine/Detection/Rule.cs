using System.Text.RegularExpressions;
using KeyGuard.Findings;

namespace KeyGuard.Detection;

/// <summary>
/// The built-in validation a rule's candidates go through after its regex matched. Each AWS check is the validation
/// of one detector in <c>Detection/Detectors/</c>; an enum, so the engine picks it with a switch on every match.
/// </summary>
internal enum RuleCheck
{
    /// <summary>Only the regex (and an optional entropy floor): user rules.</summary>
    None,
    /// <summary>AWS access key ID: charset, example keys, placeholders, dictionary words; account decoded offline.</summary>
    AwsKeyId,
    /// <summary>40-character secret access key: needs a credential context or a nearby key ID (pairing).</summary>
    AwsSecret,
    /// <summary>Long base64 session token in a session-token context.</summary>
    AwsSessionToken,
    /// <summary>A generic high-entropy value; thresholds from the rule.</summary>
    Entropy,
    /// <summary>An IAM Identity Center (SSO) access token in an AWS CLI/SDK token cache file.</summary>
    AwsSsoToken,
}

/// <summary>
/// A credential that is reported only with a partner nearby, or linked to one: a secret or session token names the
/// key ID it belongs to. Data, like gitleaks' required rules, so the engine pairs without knowing the kinds.
/// </summary>
/// <param name="With">The partner's role.</param>
/// <param name="WithinLines">How many lines apart the two may be.</param>
/// <param name="KeyIdPrefix">Only partners whose key ID starts with this (a session token goes with a temporary
/// ASIA key); null for any.</param>
/// <param name="Via">A candidate of this role paired with such a key also vouches (a token next to its key's
/// secret); null for none.</param>
internal sealed record Pairing(CredentialRole With, int WithinLines, string? KeyIdPrefix = null, CredentialRole? Via = null);

/// <summary>Whether a run (of bytes, as <see cref="RunIndex"/> finds them) can hold what a rule reports.</summary>
internal delegate bool RunTest(ReadOnlySpan<byte> run);

/// <summary>
/// One detector: a built-in one (Detection/Detectors/) or one from a user's rule file. Immutable: the engine shares rules between threads.
/// Keywords are the prefilter: a rule's regex runs only in windows around a keyword hit.
/// </summary>
internal sealed record Rule
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required Regex Regex { get; init; }
    public IReadOnlyList<string> Keywords { get; init; } = [];
    public RuleCheck Check { get; init; } = RuleCheck.None;
    /// <summary>What its findings are: downstream code asks this, never the rule id.</summary>
    public CredentialRole Role { get; init; } = CredentialRole.Other;
    /// <summary>The credential its findings pair with (a secret with its key ID); null for none.</summary>
    public Pairing? PairsWith { get; init; }
    /// <summary>
    /// The role its findings carry downstream. A user rule that borrows a check pairs by the borrowed role, but its
    /// findings stay <see cref="CredentialRole.Other"/>: reporters, enrichment and plans treated only the built-in
    /// rules as key IDs, secrets and tokens before roles existed, and users see no change.
    /// </summary>
    public CredentialRole FindingRole => BuiltIn ? Role : CredentialRole.Other;
    /// <summary>Minimum Shannon entropy (bits per character) of the secret; 0 means no floor.</summary>
    public double MinEntropy { get; init; }
    /// <summary>Entropy floor for values that are all hex (used by the generic rule, where hex carries 4 bits at most).</summary>
    public double MinHexEntropy { get; init; }
    public int MinLength { get; init; }
    public string Severity { get; init; } = "high";
    public bool Enabled { get; init; } = true;
    /// <summary>
    /// Keywords that mark a nearby credential of another kind (a key ID near a secret): the regex runs
    /// <see cref="LinesBefore"/> and <see cref="LinesAfter"/> lines around them, for pairing.
    /// </summary>
    public IReadOnlyList<string> PairKeywords { get; init; } = [];
    /// <summary>Lines searched before and after a pair-keyword hit.</summary>
    public int LinesBefore { get; init; }
    public int LinesAfter { get; init; }
    /// <summary>
    /// Characters after a keyword hit in which a match may start (0: the rest of the hit's line). A small reach
    /// keeps the regex off text that cannot hold a match, which is most of a file.
    /// </summary>
    public int Reach { get; init; }
    /// <summary>
    /// A window must hold a run of at least this many base64 or URL-encoded characters before the regex runs on it:
    /// a vectorised check that spares the regex almost every window near a common keyword.
    /// </summary>
    public int MinRun { get; init; }
    /// <summary>
    /// The regex matches token characters only (lookarounds aside) and its secret is the whole match, so it runs on
    /// each token of a window that holds a run of <see cref="MinRun"/> characters, not on the whole window: the same
    /// matches, without trying every word of the window.
    /// </summary>
    public bool MatchIsToken { get; init; }
    /// <summary>
    /// For a built-in rule whose matches are always whole runs of base64/URL characters (its lookarounds exclude every
    /// run character): whether a run can hold a match its check keeps. Looked at once per run where keywords are
    /// everywhere (<see cref="RuleSet.RunMask"/>), so windows around a hash or a 76-character blob never reach the
    /// regex. Null: every run of <see cref="MinRun"/> characters can.
    /// </summary>
    public RunTest? RunMayHold { get; init; }
    /// <summary>Characters searched after a keyword hit on its own line (long tokens need more).</summary>
    public int MaxWindow { get; init; } = 4096;
    public string Description { get; init; } = "";
    /// <summary>Where the rule was defined, as file:line, for error messages.</summary>
    public string Origin { get; init; } = "";
    public bool BuiltIn { get; init; }
    /// <summary>
    /// Whether matches that look like placeholders (<see cref="Placeholders"/>) are dropped. Off for git-secrets'
    /// prohibited patterns: a team moving from git-secrets expects what it blocked to stay blocked.
    /// </summary>
    public bool FilterPlaceholders { get; init; } = true;

    /// <summary>The text a match reports: the named group "secret", else group 1, else the whole match.</summary>
    public Group SecretGroup(Match match)
    {
        var named = match.Groups["secret"];
        if (named.Success) return named;
        return match.Groups.Count > 1 && match.Groups[1].Success ? match.Groups[1] : match;
    }

    public override string ToString() => Id;
}
