using System.Diagnostics;

namespace KeyGuard.Tests.Audit;

/// <summary>Runs the real CLI (keyguard.dll, copied next to the tests by the ProjectReference) as a child process.</summary>
internal static class CliProcess
{
    public sealed record Outcome(int ExitCode, string StdOut, string StdErr);

    public static string KeyguardDll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "keyguard.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("keyguard.dll is not next to the test assembly", path);
        }
    }

    public static Outcome Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(KeyguardDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("keyguard did not exit within 120 s");
        }
        return new Outcome(process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A temporary directory removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("keyguard-report-").FullName;

    public string File(string name, string? content = null)
    {
        var path = System.IO.Path.Combine(Path, name);
        if (content is not null) System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
