using System.Diagnostics;

namespace KeyGuard.Tests.Ship;

/// <summary>Runs programs (dotnet, git, pre-commit, the installed tool) and copies the repository for packaging tests.</summary>
internal static class ShipSupport
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "KeyGuard.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("KeyGuard.sln not found above the test assembly");
    }

    public static Result Run(string program, IEnumerable<string> args, string workingDirectory,
        IDictionary<string, string?>? env = null, int timeoutSeconds = 600)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["NO_COLOR"] = "1";
        // A test run's own MSBuild settings must not leak into a nested build.
        foreach (var k in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH", "VSTEST_HOST_DEBUG" })
            psi.Environment.Remove(k);
        if (env != null)
            foreach (var (k, v) in env)
                if (v == null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Close();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// The repository's files as they are now (tracked and new, not ignored: no bin/ or obj/), copied to
    /// <paramref name="target"/>, as a fresh clone would have them, so that a nested build never touches this test
    /// run's own outputs.
    /// </summary>
    public static void CopySources(string target)
    {
        var root = RepoRoot();
        var list = Run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], root);
        Assert.True(list.ExitCode == 0, list.ToString());
        foreach (var rel in list.Stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var from = Path.Combine(root, rel);
            if (!File.Exists(from)) continue; // deleted in the work tree, or a submodule
            var to = Path.Combine(target, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
        }
    }

    /// <summary>A copy of the sources committed as one commit in a new repository (what a pre-commit `repo:` names).</summary>
    public static string CommitSources(string target)
    {
        CopySources(target);
        foreach (var args in new[] { new[] { "init", "-q" }, ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "snapshot"] })
        {
            var r = Run("git", args, target);
            Assert.True(r.ExitCode == 0, r.ToString());
        }
        return Run("git", ["rev-parse", "HEAD"], target).Stdout.Trim();
    }

    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(d => File.Exists(Path.Combine(d, program)));
}
