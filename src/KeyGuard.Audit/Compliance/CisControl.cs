using KeyGuard.Findings;
namespace KeyGuard.Compliance;

/// <summary>Where a control is shown: with the credential-report controls, or in the account baseline section.</summary>
internal enum ControlSection { Credentials, Baseline }

/// <summary>
/// One CIS AWS Foundations control. <paramref name="Control"/> is the v1.5/v3.0 number (they agree), <paramref name="ControlV5"/>
/// the v5.0 one; either is "" when that version has no such control (the title then names where it comes from).
/// <paramref name="Remediation"/> says how to fix a failure.
/// </summary>
internal sealed record CisControl(string Control, string ControlV5, string Title, Severity Severity, string ProwlerCheck,
    string Remediation = "", ControlSection Section = ControlSection.Credentials)
{
    /// <summary>
    /// The number as one integer ("1.10" → 1,010,000; "2.1.4" → 2,001,004) so "1.9" sorts before "1.10" without parsing
    /// in the sort loop; controls without a v3.0 number sort last.
    /// </summary>
    public int SortKey { get; } = Key(Control);

    private static int Key(string number)
    {
        var parts = number.Split('.');
        if (number.Length == 0 || parts.Length > 3 || !parts.All(p => int.TryParse(p, out _))) return int.MaxValue;
        return parts.Select(int.Parse).Concat([0, 0]).Take(3).Aggregate(0, (key, part) => key * 1000 + part);
    }
}

/// <summary>The IAM credential controls of aws-iam.md §4, in CIS order.</summary>
internal static class CisControls
{
    public static readonly CisControl NoRootAccessKeys = new("1.4", "1.3",
        "Ensure no root user account access key exists", Severity.Critical, "iam_no_root_access_key");
    public static readonly CisControl RootMfa = new("1.5", "1.4",
        "Ensure MFA is enabled for the root user account", Severity.Critical, "iam_root_mfa_enabled");
    public static readonly CisControl RootHardwareMfa = new("1.6", "1.5",
        "Ensure hardware MFA is enabled for the root user account", Severity.Critical, "iam_root_hardware_mfa_enabled");
    public static readonly CisControl AvoidRootUse = new("1.7", "1.6",
        "Eliminate use of the root user for administrative and daily tasks", Severity.High, "iam_avoid_root_usage");
    public static readonly CisControl PasswordMinimumLength = new("1.8", "1.7",
        "Ensure IAM password policy requires minimum length of 14 or greater", Severity.Medium, "iam_password_policy_minimum_length_14");
    public static readonly CisControl PasswordReuse = new("1.9", "1.8",
        "Ensure IAM password policy prevents password reuse", Severity.Medium, "iam_password_policy_reuse_24");
    public static readonly CisControl ConsoleUserMfa = new("1.10", "1.9",
        "Ensure MFA is enabled for all IAM users that have a console password", Severity.High, "iam_user_mfa_enabled_console_access");
    public static readonly CisControl NoKeysAtInitialSetup = new("1.11", "1.10",
        "Do not setup access keys during initial user setup for all IAM users that have a console password", Severity.Medium, "iam_user_no_setup_initial_access_key");
    public static readonly CisControl UnusedCredentials = new("1.12", "1.11",
        "Ensure credentials unused for 45 days or greater are disabled", Severity.Medium, "iam_user_accesskey_unused / iam_user_console_access_unused");
    public static readonly CisControl OneActiveKey = new("1.13", "1.12",
        "Ensure there is only one active access key available for any single IAM user", Severity.Medium, "iam_user_two_active_access_key");
    public static readonly CisControl KeyRotation = new("1.14", "1.13",
        "Ensure access keys are rotated every 90 days or less", Severity.Medium, "iam_rotate_access_key_90_days");

    // Password clauses CIS v1.2 had (1.5-1.8, 1.11) and v1.5/v3.0/v5.0 dropped; prowler still checks them.
    public static readonly CisControl PasswordUppercase = new("", "",
        "Ensure IAM password policy requires at least one uppercase letter (CIS v1.2 1.5)", Severity.Medium, "iam_password_policy_uppercase",
        "aws iam update-account-password-policy --require-uppercase-characters (repeat the other settings: the call replaces the whole policy)");
    public static readonly CisControl PasswordLowercase = new("", "",
        "Ensure IAM password policy requires at least one lowercase letter (CIS v1.2 1.6)", Severity.Low, "iam_password_policy_lowercase",
        "aws iam update-account-password-policy --require-lowercase-characters (repeat the other settings: the call replaces the whole policy)");
    public static readonly CisControl PasswordSymbol = new("", "",
        "Ensure IAM password policy requires at least one symbol (CIS v1.2 1.7)", Severity.Medium, "iam_password_policy_symbol",
        "aws iam update-account-password-policy --require-symbols (repeat the other settings: the call replaces the whole policy)");
    public static readonly CisControl PasswordNumber = new("", "",
        "Ensure IAM password policy requires at least one number (CIS v1.2 1.8)", Severity.Medium, "iam_password_policy_number",
        "aws iam update-account-password-policy --require-numbers (repeat the other settings: the call replaces the whole policy)");
    public static readonly CisControl PasswordExpiry = new("", "",
        "Ensure IAM password policy expires passwords within 90 days or less (CIS v1.2 1.11)", Severity.Medium,
        "iam_password_policy_expires_passwords_within_90_days_or_less",
        "aws iam update-account-password-policy --max-password-age 90 (repeat the other settings: the call replaces the whole policy)");

    public static IReadOnlyList<CisControl> All { get; } =
    [
        NoRootAccessKeys, RootMfa, RootHardwareMfa, AvoidRootUse, PasswordMinimumLength, PasswordReuse,
        ConsoleUserMfa, NoKeysAtInitialSetup, UnusedCredentials, OneActiveKey, KeyRotation,
        PasswordUppercase, PasswordLowercase, PasswordSymbol, PasswordNumber, PasswordExpiry,
    ];
}
