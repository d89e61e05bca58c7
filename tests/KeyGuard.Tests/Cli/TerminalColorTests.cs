using KeyGuard.Tests.Support;
using Xunit;

namespace KeyGuard.Tests.Cli;

/// <summary>Colour follows the conventions: FORCE_COLOR/CLICOLOR_FORCE for CI logs, NO_COLOR and TERM=dumb off.</summary>
public sealed class TerminalColorTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeCredentials _fake = new(17);

    public void Dispose() => _dir.Dispose();

    private KeyGuardProcess.Result Scan(params (string, string)[] env)
    {
        _dir.Write("app.env", $"AWS_ACCESS_KEY_ID={_fake.KeyId()}\nAWS_SECRET_ACCESS_KEY={_fake.Secret()}\n");
        var vars = env.ToDictionary(e => e.Item1, e => e.Item2);
        vars.TryAdd("NO_COLOR", "");   // KeyGuardProcess sets NO_COLOR=1; empty means "not set" by the convention
        return KeyGuardProcess.Run(_dir.Path, null, vars, "scan", ".");
    }

    [Fact]
    public void Output_to_a_pipe_has_no_colour_unless_forced()
    {
        Assert.DoesNotContain("\x1b[", Scan().Stdout);
        Assert.Contains("\x1b[", Scan(("FORCE_COLOR", "1")).Stdout);
        Assert.Contains("\x1b[", Scan(("CLICOLOR_FORCE", "1")).Stdout);
        Assert.DoesNotContain("\x1b[", Scan(("FORCE_COLOR", "0")).Stdout);
    }

    [Fact]
    public void No_color_and_the_option_win_over_force()
    {
        Assert.DoesNotContain("\x1b[", Scan(("FORCE_COLOR", "1"), ("NO_COLOR", "1")).Stdout);
        var r = KeyGuardProcess.Run(_dir.Path, null, new Dictionary<string, string> { ["FORCE_COLOR"] = "1", ["NO_COLOR"] = "" }, "scan", ".", "--no-color");
        Assert.DoesNotContain("\x1b[", r.Stdout);
    }
}
