using System.Text.Json;
using KeyGuard.Cli.Commands;
using KeyGuard.CredentialReport;
using Xunit;

namespace KeyGuard.Tests.Audit;

/// <summary>The live path of `keyguard report` (no --from) through <see cref="ReportCommand.LiveApiFactory"/>, in process.</summary>
[Collection(nameof(ReportCommandLiveTests))]   // LiveApiFactory is static: these tests must not overlap
public class ReportCommandLiveTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        ReportCommand.LiveApiFactory = null;
        _dir.Dispose();
    }

    private static Task<int> Run(params string[] args) => ReportCommand.Create().Parse(args).InvokeAsync();

    [Fact]
    public async Task Without_from_it_fetches_the_report_policy_and_mfa_inputs_through_the_api()
    {
        var clock = new ManualClock(ReportCsv.Now);
        var api = new FakeCredentialReportApi(clock)
        {
            Stored = new CredentialReportContent(
                System.Text.Encoding.UTF8.GetBytes(new ReportCsv().Root(row => ReportCsv.Key(row, 1, 30, 2)).ToCsv()),
                ReportCsv.Now.AddHours(-1)),
            PasswordPolicy = null,   // NoSuchEntity: no policy
        };
        ReportCommand.LiveApiFactory = () => api;
        var output = _dir.File("live.json");

        var exitCode = await Run("--format", "json", "--output", output, "--now", "2026-11-28T10:00:00Z", "--fail-on", "critical");

        Assert.Equal(1, exitCode);
        Assert.Equal(["Get"], api.Calls);   // a report younger than 4 hours is reused
        using var json = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal("2026-11-28T09:00:00Z", json.RootElement.GetProperty("generated").GetString());
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(results, r => r.GetProperty("control").GetString() == "1.4" && r.GetProperty("status").GetString() == "fail");
        Assert.Contains(results, r => r.GetProperty("control").GetString() == "1.8" && r.GetProperty("evidence").GetString() == "no account password policy is set");
        Assert.Contains(results, r => r.GetProperty("control").GetString() == "1.6" && r.GetProperty("status").GetString() == "pass");
    }

    [Fact]
    public async Task An_aws_failure_exits_4()
    {
        ReportCommand.LiveApiFactory = () => new FailingApi();

        Assert.Equal(ExitCodes.AwsError, await Run("--format", "json", "--output", _dir.File("never.json")));
    }

    private sealed class FailingApi : ICredentialReportApi
    {
        private static Exception Denied() => new InvalidOperationException("AccessDenied: not authorized to perform iam:GenerateCredentialReport");
        public Task<CredentialReportGenerationState> GenerateAsync(CancellationToken cancellationToken) => throw Denied();
        public Task<CredentialReportContent> GetAsync(CancellationToken cancellationToken) => throw new CredentialReportNotPresentException();
        public Task<PasswordPolicy?> GetPasswordPolicyAsync(CancellationToken cancellationToken) => throw Denied();
        public Task<IReadOnlyDictionary<string, int>> GetAccountSummaryAsync(CancellationToken cancellationToken) => throw Denied();
        public Task<IReadOnlyList<VirtualMfaDevice>> ListVirtualMfaDevicesAsync(CancellationToken cancellationToken) => throw Denied();
    }
}
