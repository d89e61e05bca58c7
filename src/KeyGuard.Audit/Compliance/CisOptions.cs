namespace KeyGuard.Compliance;

/// <summary>Thresholds of the CIS checks; the defaults are CIS's (and prowler's).</summary>
internal sealed record CisOptions
{
    /// <summary>Active keys older than this fail 1.14 (v5 1.13).</summary>
    public int MaxKeyAgeDays { get; init; } = 90;

    /// <summary>Active credentials unused this many days or more fail 1.12 (v5 1.11).</summary>
    public int MaxUnusedDays { get; init; } = 45;

    public int MinPasswordLength { get; init; } = 14;

    /// <summary>PasswordReusePrevention must be at least this (IAM's maximum is 24).</summary>
    public int PasswordReuseCount { get; init; } = 24;

    /// <summary>Root credentials used within this many days fail 1.7 (v5 1.6).</summary>
    public int RootUseWindowDays { get; init; } = 1;

    public void Validate()
    {
        if (MaxKeyAgeDays < 1) throw new InvalidInputException("--max-key-age must be at least 1 day");
        if (MaxUnusedDays < 1) throw new InvalidInputException("--max-unused-days must be at least 1 day");
        if (MinPasswordLength is < 6 or > 128) throw new InvalidInputException("--min-password-length must be between 6 and 128");
        if (PasswordReuseCount is < 1 or > 24) throw new InvalidInputException("--password-reuse must be between 1 and 24");
        if (RootUseWindowDays < 0) throw new InvalidInputException("--root-use-days must not be negative");
    }
}
