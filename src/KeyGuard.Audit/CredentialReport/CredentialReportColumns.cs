namespace KeyGuard.CredentialReport;

/// <summary>Column names of the credential report (aws-iam.md §3). Parsing goes by these names, never by position.</summary>
internal static class CredentialReportColumns
{
    public const string User = "user";
    public const string Arn = "arn";
    public const string UserCreationTime = "user_creation_time";
    public const string PasswordEnabled = "password_enabled";
    public const string PasswordLastUsed = "password_last_used";
    public const string PasswordLastChanged = "password_last_changed";
    public const string PasswordNextRotation = "password_next_rotation";
    public const string MfaActive = "mfa_active";

    public static string KeyActive(int slot) => $"access_key_{slot}_active";
    public static string KeyLastRotated(int slot) => $"access_key_{slot}_last_rotated";
    public static string KeyLastUsedDate(int slot) => $"access_key_{slot}_last_used_date";
    public static string KeyLastUsedRegion(int slot) => $"access_key_{slot}_last_used_region";
    public static string KeyLastUsedService(int slot) => $"access_key_{slot}_last_used_service";
    public static string CertActive(int slot) => $"cert_{slot}_active";
    public static string CertLastRotated(int slot) => $"cert_{slot}_last_rotated";

    /// <summary>The 16 columns every report has, old or new.</summary>
    public static IReadOnlyList<string> Required { get; } =
    [
        User, Arn, UserCreationTime, PasswordEnabled, PasswordLastUsed, PasswordLastChanged, PasswordNextRotation, MfaActive,
        KeyActive(1), KeyLastRotated(1), KeyActive(2), KeyLastRotated(2),
        CertActive(1), CertLastRotated(1), CertActive(2), CertLastRotated(2),
    ];

    /// <summary>The 6 columns the current 22-column format added; all present or all absent.</summary>
    public static IReadOnlyList<string> LastUsed { get; } =
    [
        KeyLastUsedDate(1), KeyLastUsedRegion(1), KeyLastUsedService(1),
        KeyLastUsedDate(2), KeyLastUsedRegion(2), KeyLastUsedService(2),
    ];
}
