namespace KeyGuard.CredentialReport;

/// <summary>
/// Gets a current credential report: reuses one younger than 4 hours, otherwise generates and polls
/// with exponential backoff until IAM says COMPLETE (aws-iam.md §1).
/// </summary>
internal sealed class CredentialReportFetcher(
    ICredentialReportApi api,
    TimeProvider clock,
    Func<TimeSpan, CancellationToken, Task> delay,
    CredentialReportFetcherOptions? options = null)
{
    private readonly CredentialReportFetcherOptions _options = options ?? new CredentialReportFetcherOptions();

    public CredentialReportFetcher(ICredentialReportApi api)
        : this(api, TimeProvider.System, Task.Delay)
    {
    }

    public async Task<CredentialReportContent> FetchAsync(CancellationToken cancellationToken = default)
    {
        var existing = await TryGetAsync(cancellationToken);
        if (existing is not null && IsFresh(existing))
            return existing;

        var wait = _options.InitialDelay;
        var state = await api.GenerateAsync(cancellationToken);
        for (var poll = 1; poll <= _options.MaxPolls; poll++)
        {
            if (state == CredentialReportGenerationState.Complete)
            {
                var report = await TryGetAsync(cancellationToken);
                if (report is not null) return report;
            }
            await delay(wait, cancellationToken);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, _options.MaxDelay.Ticks));
            // Generate doubles as the status call: it answers COMPLETE once the report is ready,
            // and starts a new one if the last expired between polls.
            state = await api.GenerateAsync(cancellationToken);
        }
        throw new CredentialReportTimeoutException(
            $"the credential report was not ready after {_options.MaxPolls} polls; try again later");
    }

    private bool IsFresh(CredentialReportContent report) =>
        clock.GetUtcNow() - report.GeneratedAt < _options.ReuseWindow;

    /// <summary>GetCredentialReport, with "not there yet / gone / still being made" turned into null.</summary>
    private async Task<CredentialReportContent?> TryGetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetAsync(cancellationToken);
        }
        catch (Exception e) when (e is CredentialReportNotPresentException
                                       or CredentialReportExpiredException
                                       or CredentialReportInProgressException)
        {
            return null;
        }
    }
}
