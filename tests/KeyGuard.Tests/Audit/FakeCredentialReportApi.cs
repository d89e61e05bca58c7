using System.Text;
using KeyGuard.CredentialReport;

namespace KeyGuard.Tests.Audit;

/// <summary>An in-memory IAM that behaves like aws-iam.md §1: Generate starts a job that completes after N status calls.</summary>
internal sealed class FakeCredentialReportApi(TimeProvider clock) : ICredentialReportApi
{
    public List<string> Calls { get; } = [];

    /// <summary>The report IAM holds now, if any.</summary>
    public CredentialReportContent? Stored { get; set; }

    /// <summary>Set to make GetCredentialReport answer ReportExpired for the stored report.</summary>
    public bool StoredIsExpired { get; set; }

    /// <summary>How many further Generate calls a started job needs before it is COMPLETE.</summary>
    public int PollsUntilComplete { get; set; } = 2;

    public byte[] NextContent { get; set; } = Encoding.UTF8.GetBytes(new ReportCsv().Root().ToCsv());

    private int? _remaining;

    public Task<CredentialReportGenerationState> GenerateAsync(CancellationToken cancellationToken)
    {
        Calls.Add("Generate");
        if (_remaining is null)
        {
            if (Stored is not null && !StoredIsExpired && clock.GetUtcNow() - Stored.GeneratedAt < TimeSpan.FromHours(4))
                return Task.FromResult(CredentialReportGenerationState.Complete);
            _remaining = PollsUntilComplete;
            return Task.FromResult(CredentialReportGenerationState.Started);
        }
        if (_remaining > 0)
        {
            _remaining--;
            if (_remaining > 0) return Task.FromResult(CredentialReportGenerationState.InProgress);
        }
        _remaining = null;
        Stored = new CredentialReportContent(NextContent, clock.GetUtcNow());
        StoredIsExpired = false;
        return Task.FromResult(CredentialReportGenerationState.Complete);
    }

    public Task<CredentialReportContent> GetAsync(CancellationToken cancellationToken)
    {
        Calls.Add("Get");
        if (_remaining is not null) throw new CredentialReportInProgressException();
        if (Stored is null) throw new CredentialReportNotPresentException();
        if (StoredIsExpired) throw new CredentialReportExpiredException();
        return Task.FromResult(Stored);
    }

    public PasswordPolicy? PasswordPolicy { get; set; }

    public Task<PasswordPolicy?> GetPasswordPolicyAsync(CancellationToken cancellationToken) => Task.FromResult(PasswordPolicy);

    public Dictionary<string, int> Summary { get; } = new() { ["AccountMFAEnabled"] = 1 };

    public Task<IReadOnlyDictionary<string, int>> GetAccountSummaryAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, int>>(Summary);

    public List<VirtualMfaDevice> VirtualDevices { get; } = [];

    public Task<IReadOnlyList<VirtualMfaDevice>> ListVirtualMfaDevicesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<VirtualMfaDevice>>(VirtualDevices);
}

/// <summary>A clock that only moves when told to (by the fake delay).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
