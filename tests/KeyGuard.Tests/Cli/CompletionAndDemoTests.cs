using KeyGuard.Tests.Ship;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Cli;

/// <summary><c>keyguard completion SHELL</c> and <c>keyguard demo</c>.</summary>
public sealed class CompletionAndDemoTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private KeyGuardProcess.Result Kg(params string[] args) => KeyGuardProcess.Run(_dir.Path, null, args);

    [Theory]
    [InlineData("keyguard scan --for", "--format")]
    [InlineData("keyguard org-", "org-scan")]
    [InlineData("keyguard scan -f ", "gitlab")]
    [InlineData("keyguard completion ", "fish")]
    public void Suggest_directive_completes_commands_options_and_values(string line, string expected)
    {
        var r = Kg($"[suggest:{line.Length}]", line);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(expected, r.Stdout.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData("bash", "complete -o default -o bashdefault -F _keyguard_complete keyguard")]
    [InlineData("zsh", "#compdef keyguard")]
    [InlineData("fish", "complete -c keyguard -a '(__keyguard_complete)'")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName keyguard")]
    public void Each_shell_gets_a_script_that_asks_keyguard(string shell, string marker)
    {
        var r = Kg("completion", shell);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(marker, r.Stdout);
        Assert.Contains("[suggest:", r.Stdout);
    }

    [Fact]
    public void Unknown_shell_is_a_usage_error()
    {
        var r = Kg("completion", "tcsh");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("tcsh", r.Stderr);
    }

    /// <summary>The bash script, sourced in a real bash, completes through a keyguard on PATH.</summary>
    [Fact]
    public void Bash_script_completes_in_bash()
    {
        var bin = Path.Combine(_dir.Path, "bin");
        Directory.CreateDirectory(bin);
        var wrapper = Path.Combine(bin, "keyguard");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{KeyGuardProcess.DllPath}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(_dir.Path, "keyguard.bash"), Kg("completion", "bash").Stdout);
        const string script = """
            source ./keyguard.bash
            COMP_LINE='keyguard scan --for'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(keyguard scan --for); COMP_CWORD=2
            _keyguard_complete; printf '%s\n' "${COMPREPLY[@]}"; echo ---
            COMP_LINE='keyguard sc'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(keyguard sc); COMP_CWORD=1
            _keyguard_complete; printf '%s\n' "${COMPREPLY[@]}"
            """;
        var r = ShipSupport.Run("bash", ["-c", script], _dir.Path, new Dictionary<string, string?> { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") });
        Assert.True(r.ExitCode == 0, r.ToString());
        var parts = r.Stdout.Split("---\n");
        Assert.Equal(["--format"], parts[0].Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["scan"], parts[1].Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Demo_shows_a_finding_of_a_generated_key_and_deletes_its_folder()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "keyguard-demo-*").ToHashSet();
        var r = Kg("demo");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("settings.py", r.Stdout);
        Assert.Contains("aws-access-key-id", r.Stdout);
        Assert.Contains("aws-secret-access-key", r.Stdout);
        Assert.Contains("2 findings", r.Stderr);
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "keyguard-demo-*"), d => !before.Contains(d));
    }

    [Fact]
    public void Demo_keep_leaves_the_folder_for_a_real_scan()
    {
        var r = Kg("demo", "--keep");
        Assert.Equal(0, r.ExitCode);
        var kept = r.Stderr.Split('\n').Single(l => l.StartsWith("Kept: ", StringComparison.Ordinal))["Kept: ".Length..].Split(' ')[0];
        try
        {
            Assert.True(Directory.Exists(kept));
            var scan = Kg("scan", "--no-progress", kept);
            Assert.Equal(1, scan.ExitCode);
        }
        finally { Directory.Delete(kept, true); }
    }
}
