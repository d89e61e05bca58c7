using System.Diagnostics;
using KeyGuard.Tests.Support;
using Xunit;

namespace KeyGuard.Tests.Cli;

/// <summary>
/// One error contract for every command: a mistyped option or an empty path is a usage error (exit 2, one line, a
/// suggestion, a pointer to --help), never a path that silently changes what is scanned; no stack trace ever.
/// </summary>
public sealed class ErrorContractTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeCredentials _fake = new(11);

    public void Dispose() => _dir.Dispose();

    private KeyGuardProcess.Result Run(params string[] args) => KeyGuardProcess.Run(_dir.Path, null, args);

    private static void AssertUsage(KeyGuardProcess.Result r, string expected)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains(expected, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.DoesNotContain("Exception", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Theory]
    [InlineData("scan . --histroy", "unknown option '--histroy'; did you mean --history?")]
    [InlineData("scan --exlcude vendor .", "unknown option '--exlcude'; did you mean --exclude?")]
    [InlineData("scan --frobnicate", "unknown option '--frobnicate'")]
    [InlineData("plan --offlne tree", "unknown option '--offlne'; did you mean --offline?")]
    [InlineData("baseline create -o bl.json --bogus", "unknown option '--bogus'")]
    public void Mistyped_options_are_usage_errors_with_a_suggestion(string command, string expected)
    {
        var r = Run(command.Split(' '));
        AssertUsage(r, expected);
        Assert.Contains("--help'", r.Stderr);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "bl.json")));   // nothing written on a usage error
    }

    [Fact]
    public void A_path_that_starts_with_a_dash_goes_after_double_dash()
    {
        var (id, _) = (_fake.KeyId("AKIA", "123456789012"), 0);
        _dir.Write("-creds.env", $"AWS_ACCESS_KEY_ID={id}\nAWS_SECRET_ACCESS_KEY={_fake.Secret()}\n");
        var r = Run("scan", "--", "-creds.env");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(id, r.Stdout);
    }

    [Fact]
    public void An_empty_path_is_a_usage_error_not_a_crash()
    {
        AssertUsage(Run("scan", ""), "PATH: an empty value was given");
        AssertUsage(Run("baseline", "create", "-o", "bl.json", ""), "an empty value was given");
    }

    [Fact]
    public void History_of_a_missing_folder_does_not_sweep_the_enclosing_repository()
    {
        AssertUsage(Run("scan", "--history", "no-such-folder"), "--history: no-such-folder: no such directory");
    }

    [Fact]
    public void Parse_errors_name_no_dotnet_types()
    {
        var r = Run("scan", "--threads", "99999999999");
        AssertUsage(r, "'--threads' as a whole number");
        Assert.DoesNotContain("System.", r.Stderr);
    }

    [Fact]
    public async Task Ctrl_C_stops_a_running_command_at_once_with_exit_130()
    {
        // stdin that never ends keeps the scan busy until it is interrupted.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir.Path };
        psi.ArgumentList.Add(KeyGuardProcess.DllPath);
        foreach (var a in new[] { "scan", "-", "--no-progress" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardInput.WriteLineAsync("still typing");
        await p.StandardInput.FlushAsync();
        await Task.Delay(4000);   // past start-up (on a loaded machine), so the handler is in place
        Assert.False(p.HasExited);
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString()])!) await kill.WaitForExitAsync();

        var stopped = await Task.WhenAny(p.WaitForExitAsync(), Task.Delay(10_000));
        if (!p.HasExited) p.Kill(true);
        Assert.True(p.HasExited, "SIGINT did not stop keyguard within 10 s");
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("interrupted", await stderr);
    }

    [Fact]
    public void Version_command_format_aliases_and_help_placeholders()
    {
        var version = Run("version");
        Assert.Equal(0, version.ExitCode);
        Assert.Equal(Run("--version").Stdout, version.Stdout);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout);

        // -f is --format on every command that has one (report, inspect too).
        foreach (var command in new[] { "scan", "report", "inspect", "plan" })
            Assert.Contains("-f, --format", Run(command, "--help").Stdout);
        var help = Run("scan", "--help").Stdout;
        Assert.Contains("--output <FILE>", help);
        Assert.Contains("--threads <N>", help);
        Assert.DoesNotContain("<output>", help);
        Assert.DoesNotContain("--help <", help);
        Assert.Contains("-o, --output <FILE>", Run("inspect", "--help").Stdout);
        var hook = Run("hook", "pre-commit", "--help").Stdout;   // hooks read the index: no file-walk options offered
        Assert.DoesNotContain("--follow-symlinks", hook);
        Assert.DoesNotContain("--threads", hook);
        Assert.Contains("--exclude", hook);
    }
}
