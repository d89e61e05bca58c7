namespace KeyGuard.Findings;

/// <summary>
/// What part of a credential a finding is. Reporters, enrichment and plans ask this instead of comparing rule ids,
/// so a new detector of an existing role needs no change downstream.
/// </summary>
public enum CredentialRole
{
    /// <summary>A credential of its own (a token, an API key) or a user rule's match.</summary>
    Other,
    /// <summary>An access key ID: an identifier, shown whole, which secrets and tokens pair with.</summary>
    KeyId,
    /// <summary>The secret half of an access key.</summary>
    Secret,
    /// <summary>The session token that goes with a temporary (ASIA) key.</summary>
    SessionToken,
}
