namespace KeyGuard.Aws;

/// <summary>
/// How transient AWS failures (Throttling, 5xx, timeouts) are retried: exponential backoff with full jitter.
/// The delay function is injectable so tests run without sleeping.
/// </summary>
internal sealed class AwsRetryPolicy
{
    /// <summary>Total attempts including the first; 1 disables retries.</summary>
    public int MaxAttempts { get; init; } = 4;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How long one HTTP attempt may take before it counts as a RequestTimeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Waits between attempts; replace with a no-op in tests.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;
    public Random Jitter { get; init; } = Random.Shared;

    public static AwsRetryPolicy Default { get; } = new();

    /// <summary>The same timeout, one attempt: for calls that are not idempotent (CreateAccessKey).</summary>
    public AwsRetryPolicy WithoutRetries() => new()
    {
        MaxAttempts = 1, BaseDelay = BaseDelay, MaxDelay = MaxDelay, RequestTimeout = RequestTimeout, Delay = Delay, Jitter = Jitter,
    };

    /// <summary>Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): uniform in [0, min(max, base·2^n)].</summary>
    public TimeSpan BackoffBefore(int retryNumber)
    {
        double cap = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, retryNumber));
        return TimeSpan.FromMilliseconds(Jitter.NextDouble() * cap);
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> with a per-attempt timeout, retrying transient <see cref="IamException"/>s.
    /// A timeout becomes IamException(RequestTimeout); the caller's own cancellation is never retried.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(string action, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        for (int attemptNumber = 1; ; attemptNumber++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(RequestTimeout);
                try
                {
                    return await attempt(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new IamException(action, "RequestTimeout", 0,
                        $"no response within {RequestTimeout.TotalSeconds:0.###} s", inner: e);
                }
                catch (HttpRequestException e)
                {
                    throw new IamException(action, "NetworkError", 0, e.Message, inner: e);
                }
            }
            catch (IamException e) when (e.IsTransient && attemptNumber < MaxAttempts)
            {
                await Delay(BackoffBefore(attemptNumber - 1), cancellationToken).ConfigureAwait(false);
            }
            catch (IamException e) when (e.IsTransient && MaxAttempts > 1)
            {
                throw new IamException(e.Action, e.Code, e.HttpStatus,
                    $"{e.ServerMessage} (gave up after {attemptNumber} attempts)", e.RequestId, e);
            }
        }
    }
}
