using System.Diagnostics;

namespace KeyGuard.Tests.Support;

/// <summary>Runs the real CLI (keyguard.dll next to the test assembly) as a child process.</summary>
public static class KeyGuardProcess
{
    public static string DllPath => System.IO.Path.Combine(AppContext.BaseDirectory, "keyguard.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string workingDirectory, string? stdin, params string[] args) =>
        Run(workingDirectory, stdin, null, args);

    public static Result Run(string workingDirectory, string? stdin, IDictionary<string, string>? env, params string[] args) =>
        Start("dotnet", [], workingDirectory, stdin, env, args);

    /// <summary>Runs the CLI under <paramref name="umask"/> (e.g. "022"), to check the modes of the files it creates.</summary>
    public static Result RunUnderUmask(string umask, string workingDirectory, IDictionary<string, string>? env, params string[] args)
        => Start("sh", ["-c", "umask \"$0\" && exec dotnet \"$@\"", umask], workingDirectory, null, env, args);

    private static Result Start(string program, string[] programArgs, string workingDirectory, string? stdin, IDictionary<string, string>? env, string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in programArgs) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        psi.Environment["NO_COLOR"] = "1";
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin != null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("keyguard did not finish in 120 s: " + string.Join(' ', args)); }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
