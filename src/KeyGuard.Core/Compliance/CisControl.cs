namespace KeyGuard.Compliance;

/// <summary>One CIS AWS Foundations control. <paramref name="Control"/> is the v1.5/v3.0 number (they agree), <paramref name="ControlV5"/> the v5.0 one.</summary>
public sealed record CisControl(string Control, string ControlV5, string Title, Severity Severity, string ProwlerCheck)
{
    /// <summary>The v1.5 number as one integer ("1.10" → 1010) so "1.9" sorts before "1.10" without parsing in the sort loop.</summary>
    public int SortKey { get; } = Control.Split('.') is [var major, var minor] ? int.Parse(major) * 1000 + int.Parse(minor) : 0;
}

/// <summary>The IAM credential controls of aws-iam.md §4, in CIS order.</summary>
public static class CisControls
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

    public static IReadOnlyList<CisControl> All { get; } =
    [
        NoRootAccessKeys, RootMfa, RootHardwareMfa, AvoidRootUse, PasswordMinimumLength, PasswordReuse,
        ConsoleUserMfa, NoKeysAtInitialSetup, UnusedCredentials, OneActiveKey, KeyRotation,
    ];
}
