using System.Text.Json;
using KeyGuard.Tests.Support;
using Xunit;

namespace KeyGuard.Tests.Cli;

/// <summary>
/// Fail safe: `plan --findings FILE` from a scan that could not read everything says what the scan missed and exits 3,
/// as `plan` on a fresh scan does; the plans it could make are still written.
/// </summary>
public sealed class PlanFromReportErrorsTests
{
    [Fact]
    public void A_report_with_errors_makes_plan_name_them_and_exit_3()
    {
        using var dir = new TempDir();
        var key = new FakeCredentials(21).KeyId();
        dir.Write("app/creds.env", $"aws_access_key_id = {key}\n");
        // Followed, a link to nothing is an error for that link; the rest is scanned.
        File.CreateSymbolicLink(Path.Combine(dir.Path, "app", "gone.env"), Path.Combine(dir.Path, "nowhere.env"));
        var scan = KeyGuardProcess.Run(dir.Path, null, "scan", "app", "--follow-symlinks", "-f", "json", "-o", "findings.json");
        Assert.True(scan.ExitCode == 3, $"scan exit {scan.ExitCode}: {scan.Stderr}");
        using (var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "findings.json"))))
            Assert.Contains("gone.env", report.RootElement.GetProperty("errors")[0].GetProperty("path").GetString());

        var plan = KeyGuardProcess.Run(dir.Path, null, "plan", "--findings", "findings.json", "--offline", "-f", "json", "--now", "2026-12-06T12:00:00Z");

        Assert.True(plan.ExitCode == 3, $"plan exit {plan.ExitCode}: {plan.Stderr}");
        Assert.Contains("findings.json: the scan could not read", plan.Stderr);
        Assert.Contains("gone.env", plan.Stderr);
        Assert.Contains(key, plan.Stdout);

        // The same report without its errors plans cleanly.
        var clean = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "findings.json"))).RootElement.EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Name == "errors" ? JsonDocument.Parse("[]").RootElement : p.Value.Clone());
        File.WriteAllText(Path.Combine(dir.Path, "clean.json"), JsonSerializer.Serialize(clean));
        var fine = KeyGuardProcess.Run(dir.Path, null, "plan", "--findings", "clean.json", "--offline", "-f", "json", "--now", "2026-12-06T12:00:00Z");
        Assert.True(fine.ExitCode == 0, $"plan exit {fine.ExitCode}: {fine.Stderr}");
        Assert.DoesNotContain("could not read", fine.Stderr);
    }
}
