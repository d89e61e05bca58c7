using KeyGuard.Tests.Support;
using Xunit;

namespace KeyGuard.Tests.Remediation;

/// <summary>
/// `plan` without --findings scans through the same scan session as `scan` (issue 12: it built its scan from empty
/// settings): the config, the scan options and their suppression apply, and what could not be read is an error.
/// </summary>
public sealed class PlanScanSessionTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeCredentials _fake = new(1212);

    public void Dispose() => _dir.Dispose();

    private string Pair(string id) => $"aws_access_key_id = {id}\naws_secret_access_key = {_fake.Secret()}\n";

    private KeyGuardProcess.Result Plan(params string[] extra) =>
        KeyGuardProcess.Run(_dir.Path, null, new Dictionary<string, string> { ["AWS_EC2_METADATA_DISABLED"] = "true" },
            ["plan", ".", "--offline", "-f", "json", "--now", "2026-12-06T00:00:00Z", .. extra]);

    [Fact]
    public void The_config_and_the_scan_options_decide_what_plan_scans_as_they_do_for_scan()
    {
        string planned = _fake.KeyId(), allowed = _fake.KeyId(), excluded = _fake.KeyId();
        _dir.Write("app/settings.ini", Pair(planned));
        _dir.Write("fixtures/test.ini", Pair(allowed));
        _dir.Write("vendor/lib.ini", Pair(excluded));
        _dir.Write(".keyguard.json", """{ "allowlist": { "paths": ["fixtures/**"] } }""");

        var run = Plan("--exclude", "vendor/**");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(planned, run.Stdout);
        Assert.DoesNotContain(allowed, run.Stdout);
        Assert.DoesNotContain(excluded, run.Stdout);
    }

    [Fact]
    public void What_the_scan_could_not_read_is_named_and_exits_3_with_the_plans_of_the_rest()
    {
        var id = _fake.KeyId();
        _dir.Write("app/settings.ini", Pair(id));
        Directory.CreateSymbolicLink(Path.Combine(_dir.Path, "app", "loop"), Path.Combine(_dir.Path, "app"));

        var run = Plan("--follow-symlinks");

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("loop", run.Stderr);
        Assert.Contains(id, run.Stdout);
    }
}
