using KeyGuard.CredentialReport;

namespace KeyGuard.Compliance;

/// <summary>The answer of GetAccountPasswordPolicy: <see cref="Policy"/> is null when IAM says no policy is set.</summary>
internal sealed record PasswordPolicyLookup(PasswordPolicy? Policy)
{
    public static PasswordPolicyLookup NoPolicy { get; } = new((PasswordPolicy?)null);
}

/// <summary>What the root hardware-MFA control needs: GetAccountSummary's AccountMFAEnabled and the virtual MFA devices.</summary>
internal sealed record RootMfaEvidence(bool AccountMfaEnabled, IReadOnlyList<VirtualMfaDevice> VirtualMfaDevices)
{
    public static RootMfaEvidence From(IReadOnlyDictionary<string, int> accountSummary, IReadOnlyList<VirtualMfaDevice> devices) =>
        new(accountSummary.TryGetValue("AccountMFAEnabled", out var enabled) && enabled > 0, devices);
}

/// <summary>Account-level inputs besides the credential report. A null member means "not looked up": its controls are not evaluated.</summary>
internal sealed record AccountInputs(PasswordPolicyLookup? PasswordPolicy = null, RootMfaEvidence? RootMfa = null)
{
    public static AccountInputs None { get; } = new();
}
