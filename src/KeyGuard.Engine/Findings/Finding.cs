using KeyGuard.Sources;

namespace KeyGuard.Findings;

/// <summary>
/// One credential found in one place. <see cref="Secret"/> holds the plaintext in memory only: reporters print
/// <see cref="Redacted"/> unless the user asked for --show-secrets, and nothing persists the plaintext.
/// </summary>
public sealed class Finding
{
    public required string RuleId { get; init; }
    public required string RuleTitle { get; init; }
    /// <summary>What part of a credential this is; ask this, not the rule id.</summary>
    public CredentialRole Role { get; internal init; }
    public required string Severity { get; set; }
    public required Provenance Source { get; init; }
    public string Path => Source.Path;
    /// <summary>1-based line of the secret's first character.</summary>
    public required int Line { get; init; }
    /// <summary>1-based column (in characters) of the secret's first character.</summary>
    public required int Column { get; init; }
    /// <summary>1-based column just past the secret's last character (exclusive), on <see cref="Line"/>.</summary>
    public required int EndColumn { get; init; }
    public required string Secret { get; init; }
    /// <summary>Hash of rule and secret: stable across moves, the key of baselines.</summary>
    public required string Fingerprint { get; init; }
    public string? KeyId { get; set; }
    public string? Account { get; set; }
    public string? KeyKind { get; set; }
    /// <summary>How the text at this place was encoded when the secret was found by decoding it ("base64",
    /// "unicode-escape", "html-entity"; nested ones "+"-joined, outermost first); null for plain text.</summary>
    public string? Encoding { get; init; }
    /// <summary>Fingerprints of findings this one was paired with (a key ID with its secret and token).</summary>
    public List<string> PairedWith { get; } = [];
    /// <summary>Absolute character offset in the scanned text, for pairing and de-duplication.</summary>
    internal long Offset { get; init; }

    /// <summary>What IAM/STS said about <see cref="KeyId"/>, filled by enrichment (scan --verify); null when nobody asked.</summary>
    internal KeyFacts? Facts { get; set; }

    /// <summary>Where a history sweep saw this secret first and whether HEAD still holds it; null outside history sweeps.</summary>
    internal FindingHistory? History { get; set; }

    /// <summary>An org scan's tracking of this finding across runs (its per-repository reports); null elsewhere.</summary>
    internal FindingTracking? Tracking { get; set; }

    /// <summary>Other places where the same secret was seen (history sweeps fill this).</summary>
    internal List<Occurrence> Occurrences { get; } = [];

    public string Redacted => Redaction.Redact(Role, Secret);

    public string Display(bool showSecrets) => showSecrets ? Secret : Redacted;
}

/// <summary>What a history sweep learnt about a finding (docs/json-output.md, "History findings").</summary>
/// <param name="RemovedIn">The first-parent commit that dropped the secret; null while HEAD holds it.</param>
/// <param name="OccurrenceCount">Every place that added the secret (the listed occurrences are capped).</param>
internal sealed record FindingHistory(Introduction Introduced, bool PresentAtHead, string? RemovedIn, int OccurrenceCount);

/// <summary>The oldest commit that added the secret; Commit is null for an unreachable blob.</summary>
internal sealed record Introduction(string? Commit, string? Author, DateTimeOffset? Date, string Path, int Line);

/// <summary>An org finding's state across runs: new, open, rotated or resolved, and when it was first and last seen.</summary>
internal sealed record FindingTracking(string Repository, string Status, string FirstSeen, string LastSeen, string? RotatedAt);

/// <summary>A place where a secret appears: commit and path and line.</summary>
internal sealed record Occurrence(string Path, int Line, string? Commit, string? Author, DateTimeOffset? Date);
