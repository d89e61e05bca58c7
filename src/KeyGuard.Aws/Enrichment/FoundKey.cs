namespace KeyGuard.Enrichment;

/// <summary>
/// A key ID to look up, optionally with the secret (and session token) found next to it. The secret is used only
/// by the opt-in live check and is redacted from ToString so it cannot leak into logs.
/// </summary>
internal sealed record FoundKey(string KeyId, string? Secret = null, string? SessionToken = null)
{
    public override string ToString() =>
        $"FoundKey {{ KeyId = {KeyId}, Secret = {(Secret is null ? "none" : "<redacted>")}, SessionToken = {(SessionToken is null ? "none" : "<redacted>")} }}";
}
