namespace KeyGuard.Sources.Git;

/// <summary>git's arguments and the extra environment it runs with.</summary>
internal sealed record GitCommand(string[] Arguments, IReadOnlyDictionary<string, string> Environment);

/// <summary>Runs the git command (sandboxed by <see cref="SafeGit"/>), when it is installed: history sweeps read with it, org scans clone and fetch with it.</summary>
internal static class GitCli
{
    public static readonly bool Available = Environment.GetEnvironmentVariable("KEYGUARD_GIT") != "libgit2" && Find() != null;

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "git")).FirstOrDefault(File.Exists);

    public static void Run(string workingDirectory, GitCommand command) => Run(workingDirectory, command.Environment, command.Arguments);

    public static void Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    public static void Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = SafeGit.StartInfo(workingDirectory, args);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        _ = stdout.Result;
        if (p.ExitCode != 0)
            throw new GitCommandException($"git {args[0]} failed: {stderr.Trim().Split('\n').LastOrDefault() ?? $"exit {p.ExitCode}"}");
    }
}

/// <summary>A git command failed; the message is git's last line of stderr.</summary>
internal sealed class GitCommandException(string message) : Exception(message);
