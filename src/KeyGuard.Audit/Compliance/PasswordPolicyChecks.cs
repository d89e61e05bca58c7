using KeyGuard.CredentialReport;

namespace KeyGuard.Compliance;

/// <summary>Shared shape of the password-policy controls: not looked up, no policy (fail), or a policy to inspect.</summary>
internal abstract class PasswordPolicyCheck : ICisCheck
{
    public abstract CisControl Control { get; }

    public IEnumerable<ComplianceResult> Evaluate(CisContext context)
    {
        var subject = CisContext.AccountSubject;
        var arn = context.AccountArn;
        if (context.Inputs.PasswordPolicy is not { } lookup)
        {
            yield return new ComplianceResult(subject, arn, Control, ComplianceStatus.NotEvaluated,
                "the account password policy was not read (give --password-policy FILE offline)");
            yield break;
        }
        if (lookup.Policy is not { } policy)
        {
            yield return new ComplianceResult(subject, arn, Control, ComplianceStatus.Fail, "no account password policy is set");
            yield break;
        }
        var (passes, evidence) = Inspect(policy, context.Options);
        yield return new ComplianceResult(subject, arn, Control, passes ? ComplianceStatus.Pass : ComplianceStatus.Fail, evidence);
    }

    protected abstract (bool Passes, string Evidence) Inspect(PasswordPolicy policy, CisOptions options);
}

/// <summary>CIS 1.8 (v5 1.7): MinimumPasswordLength ≥ 14.</summary>
internal sealed class PasswordMinimumLengthCheck : PasswordPolicyCheck
{
    public override CisControl Control => CisControls.PasswordMinimumLength;

    protected override (bool, string) Inspect(PasswordPolicy policy, CisOptions options) => (
        policy.MinimumPasswordLength >= options.MinPasswordLength,
        $"password policy minimum length is {policy.MinimumPasswordLength} (required {options.MinPasswordLength} or more)");
}

/// <summary>CIS 1.9 (v5 1.8): PasswordReusePrevention = 24 (or the configured count).</summary>
internal sealed class PasswordReuseCheck : PasswordPolicyCheck
{
    public override CisControl Control => CisControls.PasswordReuse;

    protected override (bool, string) Inspect(PasswordPolicy policy, CisOptions options) => policy.PasswordReusePrevention is { } remembered
        ? (remembered >= options.PasswordReuseCount,
            $"password policy remembers the last {remembered} passwords (required {options.PasswordReuseCount})")
        : (false, $"password policy does not prevent password reuse (required {options.PasswordReuseCount})");
}

/// <summary>One boolean clause of the policy (uppercase, lowercase, numbers, symbols).</summary>
internal abstract class PasswordClauseCheck : PasswordPolicyCheck
{
    protected abstract string Clause { get; }
    protected abstract bool Required(PasswordPolicy policy);

    protected override (bool, string) Inspect(PasswordPolicy policy, CisOptions options) => Required(policy)
        ? (true, $"password policy requires {Clause}")
        : (false, $"password policy does not require {Clause}");
}

internal sealed class PasswordUppercaseCheck : PasswordClauseCheck
{
    public override CisControl Control => CisControls.PasswordUppercase;
    protected override string Clause => "an uppercase letter";
    protected override bool Required(PasswordPolicy policy) => policy.RequireUppercaseCharacters;
}

internal sealed class PasswordLowercaseCheck : PasswordClauseCheck
{
    public override CisControl Control => CisControls.PasswordLowercase;
    protected override string Clause => "a lowercase letter";
    protected override bool Required(PasswordPolicy policy) => policy.RequireLowercaseCharacters;
}

internal sealed class PasswordNumberCheck : PasswordClauseCheck
{
    public override CisControl Control => CisControls.PasswordNumber;
    protected override string Clause => "a number";
    protected override bool Required(PasswordPolicy policy) => policy.RequireNumbers;
}

internal sealed class PasswordSymbolCheck : PasswordClauseCheck
{
    public override CisControl Control => CisControls.PasswordSymbol;
    protected override string Clause => "a symbol";
    protected override bool Required(PasswordPolicy policy) => policy.RequireSymbols;
}

/// <summary>Passwords expire within 90 days (prowler: MaxPasswordAge set and at most 90).</summary>
internal sealed class PasswordExpiryCheck : PasswordPolicyCheck
{
    public const int MaxAgeDays = 90;
    public override CisControl Control => CisControls.PasswordExpiry;

    protected override (bool, string) Inspect(PasswordPolicy policy, CisOptions options) => policy.MaxPasswordAge is { } days
        ? (days <= MaxAgeDays, $"password policy expires passwords after {days} days (required {MaxAgeDays} or fewer)")
        : (false, $"password policy never expires passwords (required {MaxAgeDays} days or fewer)");
}
