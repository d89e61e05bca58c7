using KeyGuard.Aws;

namespace KeyGuard.Findings;

// What is known about a found key ID, carried from the finding through enrichment to the plan and every report.
// Plain data only (the engine has no package references): IAM lookups fill it, elsewhere.

internal enum Ownership { Unknown, Ours, OtherAccount }

/// <summary>Deleted also covers "not found": IAM cannot tell the two apart.</summary>
internal enum KeyStatus { Unknown, Active, Inactive, Deleted }

/// <summary>
/// One scale of how bad something is: a found key's severity and a CIS control's (Prowler's) severity alike, with the
/// same four names. Larger is worse, so "at or above" is a plain comparison.
/// </summary>
internal enum Severity { Low = 0, Medium = 1, High = 2, Critical = 3 }

internal static class SeverityText
{
    /// <summary>"critical", "high", "medium" or "low", as every report writes it.</summary>
    public static string Name(this Severity severity) => severity switch
    {
        Severity.Critical => "critical",
        Severity.High => "high",
        Severity.Medium => "medium",
        _ => "low",
    };

    public static Severity Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "critical" => Severity.Critical,
        "high" => Severity.High,
        "medium" => Severity.Medium,
        "low" => Severity.Low,
        _ => throw new InvalidInputException($"unknown severity '{text}' (expected critical, high, medium or low)"),
    };
}

/// <summary>How the account was learnt: decoded from the ID offline, or confirmed by sts:GetAccessKeyInfo.</summary>
internal enum AccountSource { None, Decoded, GetAccessKeyInfo }

internal enum LiveCheckResult
{
    /// <summary>--verify-live was not given (the default): nothing was signed with the found key.</summary>
    NotRequested,
    /// <summary>No secret was supplied for this key, or an ASIA key came without its session token.</summary>
    NoSecret,
    /// <summary>The key belongs to a known canary-token account and --allow-canary was not given.</summary>
    SkippedCanary,
    /// <summary>IAM did not confirm the key as the operator's account's (another account's, or unknown) and
    /// --allow-other-accounts was not given: signing with it would use someone else's credential.</summary>
    SkippedNotOurs,
    /// <summary>sts:GetCallerIdentity signed with the found pair succeeded: the key works.</summary>
    Live,
    /// <summary>InvalidClientTokenId (or ExpiredToken): the key is deleted, inactive or expired.</summary>
    NotLive,
    /// <summary>SignatureDoesNotMatch: the key exists but the found secret is not its secret.</summary>
    WrongSecret,
    /// <summary>Any other failure; see <see cref="LiveCheck.Message"/>.</summary>
    Error,
}

/// <summary>The outcome of the opt-in live check; Arn is set when the key is live.</summary>
internal sealed record LiveCheck(LiveCheckResult Result, string? Arn = null, string? Message = null)
{
    public static LiveCheck NotRequested { get; } = new(LiveCheckResult.NotRequested);
}

/// <summary>Everything KeyGuard learnt about one found key ID. One JSON shape: <see cref="KeyFactsJson"/>.</summary>
internal sealed record KeyFacts
{
    public required string KeyId { get; init; }
    public KeyKind Kind => AccessKeyId.KindOf(KeyId);
    public string? Account { get; init; }
    public AccountSource AccountSource { get; init; }
    public Ownership Ownership { get; init; }
    /// <summary>"thinkst" or "thinkst-knockoff" when the account hosts canary tokens.</summary>
    public string? CanarySource { get; init; }
    public string? UserName { get; init; }
    /// <summary>The root user's key: IAM user calls cannot change it.</summary>
    public bool IsRoot => UserName is "root" or "<root_account>";
    public KeyStatus Status { get; init; }
    public DateTimeOffset? CreateDate { get; init; }
    public int? AgeDays { get; init; }
    public DateTimeOffset? LastUsedDate { get; init; }
    public string? LastUsedService { get; init; }
    public string? LastUsedRegion { get; init; }
    /// <summary>AWS's AWSCompromisedKeyQuarantine* managed policies attached to the owner.</summary>
    public IReadOnlyList<string> QuarantinePolicies { get; init; } = [];
    public bool QuarantinePolicyAttached => QuarantinePolicies.Count > 0;
    public Severity Severity { get; init; }
    /// <summary>Why part of the lookup failed (e.g. the missing IAM permission); null when everything worked.</summary>
    public string? Error { get; init; }
    public LiveCheck LiveCheck { get; init; } = LiveCheck.NotRequested;

    /// <summary>What is known without asking AWS: the account decoded from the ID, if any.</summary>
    public static KeyFacts Offline(string keyId, string? account = null) => new()
    {
        KeyId = keyId,
        Account = account ?? AccessKeyId.DecodeAccount(keyId),
        AccountSource = (account ?? AccessKeyId.DecodeAccount(keyId)) is null ? AccountSource.None : AccountSource.Decoded,
    };
}
