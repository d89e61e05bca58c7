namespace KeyGuard.CredentialReport;

/// <summary>How patiently <see cref="CredentialReportFetcher"/> waits for IAM.</summary>
internal sealed record CredentialReportFetcherOptions
{
    /// <summary>First wait between polls; each later wait doubles up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Polls before giving up (with the defaults, about 5 minutes).</summary>
    public int MaxPolls { get; init; } = 20;

    /// <summary>IAM regenerates a report at most once per 4 hours; a younger one is reused as it is.</summary>
    public TimeSpan ReuseWindow { get; init; } = TimeSpan.FromHours(4);
}
