using System.Globalization;
using System.Text.Json;
using KeyGuard.Tests.Aws;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Audit;

/// <summary>
/// The first live `report` (issue 16, aws-e2e review rough edge 19): IAM generates the credential report while the
/// command runs, so the evaluation must not be dated before it ("generated 06:27:41Z, evaluated 06:27:37Z").
/// </summary>
public sealed class ReportTimesTests
{
    [Fact]
    public async Task A_report_generated_during_the_run_is_not_evaluated_before_it_was_generated()
    {
        await using var bed = new EmulatorTestBed();
        bed.OurAccount.CredentialReport.PollsUntilReady = 1;   // ready after waits of 1 s and 2 s, as IAM takes its time
        using var dir = new TempDir();

        var r = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "report", "--endpoint-url", bed.Server.Url.ToString(),
            "--no-baseline", "-f", "json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.Stdout);
        DateTimeOffset Time(string name) => DateTimeOffset.Parse(json.RootElement.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
        Assert.True(bed.OurAccount.CredentialReport.Generations == 1);
        Assert.True(Time("generated") <= Time("evaluatedAt"), $"generated {Time("generated"):O}, evaluated {Time("evaluatedAt"):O}");

        var text = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "report", "--endpoint-url", bed.Server.Url.ToString(), "--no-baseline");
        var header = text.Stdout.Split('\n')[0];   // "… credential report generated T1, evaluated T2"
        var times = System.Text.RegularExpressions.Regex.Matches(header, @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").Select(m => DateTimeOffset.Parse(m.Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, times.Count);
        Assert.True(times[0] <= times[1], header);
    }

    [Fact]
    public async Task An_explicit_now_is_kept_as_given()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new TempDir();
        var r = KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "report", "--endpoint-url", bed.Server.Url.ToString(),
            "--no-baseline", "-f", "json", "--now", "2030-01-02T03:04:05Z");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("2030-01-02T03:04:05Z", JsonDocument.Parse(r.Stdout).RootElement.GetProperty("evaluatedAt").GetString());
    }
}
