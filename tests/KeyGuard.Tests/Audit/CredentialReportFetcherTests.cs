using KeyGuard.Compliance;
using KeyGuard.CredentialReport;
using Xunit;

namespace KeyGuard.Tests.Audit;

public class CredentialReportFetcherTests
{
    private readonly ManualClock _clock = new(ReportCsv.Now);
    private readonly List<TimeSpan> _delays = [];
    private readonly FakeCredentialReportApi _api;

    public CredentialReportFetcherTests() => _api = new FakeCredentialReportApi(_clock);

    private CredentialReportFetcher Fetcher(CredentialReportFetcherOptions? options = null) =>
        new(_api, _clock, (wait, _) =>
        {
            _delays.Add(wait);
            _clock.Now += wait;
            return Task.CompletedTask;
        }, options);

    [Fact]
    public async Task Without_a_report_it_generates_then_polls_started_inprogress_complete_with_backoff()
    {
        _api.PollsUntilComplete = 3;

        var report = await Fetcher().FetchAsync();

        // Get → ReportNotPresent; Generate STARTED; two INPROGRESS polls; COMPLETE; Get.
        Assert.Equal(["Get", "Generate", "Generate", "Generate", "Generate", "Get"], _api.Calls);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], _delays);
        Assert.Equal(ReportCsv.Now.AddSeconds(7), report.GeneratedAt);
    }

    [Fact]
    public async Task A_report_younger_than_4_hours_is_reused_without_generating()
    {
        _api.Stored = new CredentialReportContent([1, 2, 3], ReportCsv.Now.AddHours(-3).AddMinutes(-59));

        var report = await Fetcher().FetchAsync();

        Assert.Same(_api.Stored, report);
        Assert.Equal(["Get"], _api.Calls);
        Assert.Empty(_delays);
    }

    [Fact]
    public async Task A_report_4_hours_old_is_regenerated()
    {
        var old = new CredentialReportContent([1], ReportCsv.Now.AddHours(-4));
        _api.Stored = old;
        _api.PollsUntilComplete = 1;

        var report = await Fetcher().FetchAsync();

        Assert.NotSame(old, report);
        Assert.Equal(ReportCsv.Now.AddSeconds(1), report.GeneratedAt);
        Assert.Equal(["Get", "Generate", "Generate", "Get"], _api.Calls);
    }

    [Fact]
    public async Task An_expired_report_is_regenerated()
    {
        _api.Stored = new CredentialReportContent([1], ReportCsv.Now.AddHours(-1));
        _api.StoredIsExpired = true;
        _api.PollsUntilComplete = 1;

        var report = await Fetcher().FetchAsync();

        Assert.Equal(ReportCsv.Now.AddSeconds(1), report.GeneratedAt);
        Assert.Equal("Generate", _api.Calls[1]);
    }

    [Fact]
    public async Task ReportInProgress_from_get_means_wait_and_ask_again()
    {
        var api = new ScriptedApi(
            gets: [new CredentialReportInProgressException(), new CredentialReportInProgressException(), null],
            states: [CredentialReportGenerationState.Complete, CredentialReportGenerationState.Complete, CredentialReportGenerationState.Complete],
            generatedAt: ReportCsv.Now);
        var fetcher = new CredentialReportFetcher(api, _clock, (wait, _) => { _delays.Add(wait); return Task.CompletedTask; });

        var report = await fetcher.FetchAsync();

        Assert.Equal(ReportCsv.Now, report.GeneratedAt);
        Assert.Equal(["Get", "Generate", "Get", "Generate", "Get"], api.Calls);
        Assert.Single(_delays);
    }

    [Fact]
    public async Task Backoff_is_capped_and_gives_up_after_max_polls()
    {
        _api.PollsUntilComplete = 1000;
        var options = new CredentialReportFetcherOptions { MaxPolls = 6, MaxDelay = TimeSpan.FromSeconds(5) };

        await Assert.ThrowsAsync<CredentialReportTimeoutException>(() => Fetcher(options).FetchAsync());

        Assert.Equal(new[] { 1, 2, 4, 5, 5, 5 }.Select(s => TimeSpan.FromSeconds(s)), _delays);
    }

    [Fact]
    public async Task The_live_loader_reads_report_policy_and_mfa_inputs()
    {
        _api.PasswordPolicy = new PasswordPolicy(16, 24);
        _api.VirtualDevices.Add(new VirtualMfaDevice("arn:aws:iam::111122223333:mfa/root", "arn:aws:iam::111122223333:root"));

        var (report, inputs) = await new LiveCredentialReportLoader(_api, Fetcher()).LoadAsync();

        Assert.True(Assert.Single(report.Rows).IsRoot);
        Assert.Equal(16, inputs.PasswordPolicy!.Policy!.MinimumPasswordLength);
        Assert.True(inputs.RootMfa!.AccountMfaEnabled);
        var hardware = new CisJudge().Judge(report, inputs, _clock.Now).Single(r => r.Control == CisControls.RootHardwareMfa);
        Assert.Equal(ComplianceStatus.Fail, hardware.Status);
    }

    /// <summary>Answers Get and Generate from fixed scripts (null in <c>gets</c> means "return the report").</summary>
    private sealed class ScriptedApi(Exception?[] gets, CredentialReportGenerationState[] states, DateTimeOffset generatedAt) : ICredentialReportApi
    {
        private int _get;
        private int _generate;
        public List<string> Calls { get; } = [];

        public Task<CredentialReportGenerationState> GenerateAsync(CancellationToken cancellationToken)
        {
            Calls.Add("Generate");
            return Task.FromResult(states[_generate++]);
        }

        public Task<CredentialReportContent> GetAsync(CancellationToken cancellationToken)
        {
            Calls.Add("Get");
            if (gets[_get++] is { } error) throw error;
            return Task.FromResult(new CredentialReportContent([], generatedAt));
        }

        public Task<PasswordPolicy?> GetPasswordPolicyAsync(CancellationToken cancellationToken) => Task.FromResult<PasswordPolicy?>(null);
        public Task<IReadOnlyDictionary<string, int>> GetAccountSummaryAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<VirtualMfaDevice>> ListVirtualMfaDevicesAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
