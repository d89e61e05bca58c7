using System.Diagnostics;

namespace KeyGuard.Hooks;

/// <summary>
/// Where hooks go. For a repository, git decides (<c>git rev-parse --git-path hooks</c> honours core.hooksPath and
/// worktrees). For --global, the user's core.hooksPath if set, else ~/.config/keyguard/hooks, which install then
/// names in the global core.hooksPath (and remembers having done so, for uninstall).
/// </summary>
internal static class HooksDirectory
{
    /// <summary>File in a global hooks dir that says install --global set core.hooksPath to it.</summary>
    public const string SetByKeyGuard = ".keyguard-set-hookspath";

    public static string ForRepository(string directory)
    {
        var (code, output, error) = Git(directory, "rev-parse", "--path-format=absolute", "--git-path", "hooks");
        if (code != 0) throw new InvalidInputException($"{Path.GetFullPath(directory)}: not inside a git repository ({error.Trim().Split('\n')[0]})");
        return Path.GetFullPath(output.Trim(), directory);
    }

    /// <summary>The configured global hooks path, or null.</summary>
    public static string? GlobalConfigured()
    {
        var (code, output, _) = Git(Environment.CurrentDirectory, "config", "--global", "--get", "core.hooksPath");
        return code == 0 && output.Trim().Length > 0 ? ExpandHome(output.Trim()) : null;
    }

    public static string DefaultGlobal()
    {
        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg : Path.Combine(Home, ".config");
        return Path.Combine(config, "keyguard", "hooks");
    }

    public static void SetGlobal(string dir)
    {
        var (code, _, error) = Git(Environment.CurrentDirectory, "config", "--global", "core.hooksPath", dir);
        if (code != 0) throw new InvalidInputException($"git config --global core.hooksPath: {error.Trim()}");
        File.WriteAllText(Path.Combine(dir, SetByKeyGuard), dir + "\n");
    }

    /// <summary>Unsets the global core.hooksPath if install --global set it (and it still points at <paramref name="dir"/>).</summary>
    public static bool UnsetGlobalIfOurs(string dir)
    {
        var marker = Path.Combine(dir, SetByKeyGuard);
        if (!File.Exists(marker)) return false;
        File.Delete(marker);
        if (GlobalConfigured() is not { } configured || Path.GetFullPath(configured) != Path.GetFullPath(dir)) return false;
        Git(Environment.CurrentDirectory, "config", "--global", "--unset", "core.hooksPath");
        return true;
    }

    private static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private static string ExpandHome(string path) => path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Home, path[2..]) : path;

    private static (int Code, string Output, string Error) Git(string directory, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var error = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output, error.Result);
        }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidInputException($"git: {e.Message} (is git installed?)"); }
    }
}
