using System.CommandLine;
using KeyGuard.Hooks;

namespace KeyGuard.Cli.Commands;

/// <summary>
/// <c>keyguard install [--global] [--force]</c>: writes the pre-commit, prepare-commit-msg, commit-msg and pre-push
/// hooks into the repository's hooks dir (core.hooksPath respected), chaining any hook already there.
/// </summary>
internal static class InstallCommand
{
    public static Command Create()
    {
        var global = new Option<bool>("--global") { Description = "Install for every repository of this user (a global core.hooksPath)." };
        var force = new Option<bool>("--force") { Description = "Replace existing hooks instead of chaining them (they are kept as NAME.keyguard-replaced)." };
        var server = new Option<bool>("--server") { Description = "Install the server-side pre-receive hook in this (bare) repository instead: pushes carrying AWS credentials are rejected." };
        var timeout = HookCommand.ReceiveTimeoutOption();
        var onTimeout = HookCommand.OnTimeoutOption();
        var command = new Command("install", "Install KeyGuard's git hooks in this repository (or, with --global, for all of them; with --server, the pre-receive hook of a repository that receives pushes).");
        command.Options.Add(global);
        command.Options.Add(force);
        command.Options.Add(server);
        command.Options.Add(timeout);
        command.Options.Add(onTimeout);
        command.SetAction(p =>
        {
            bool isGlobal = p.GetValue(global);
            string dir;
            bool setGlobal = false;
            if (isGlobal)
            {
                dir = HooksDirectory.GlobalConfigured() ?? HooksDirectory.DefaultGlobal();
                setGlobal = HooksDirectory.GlobalConfigured() == null;
            }
            else dir = HooksDirectory.ForRepository(Environment.CurrentDirectory);
            List<string> done;
            try
            {
                if (p.GetValue(server) && isGlobal) throw new InvalidInputException("--server installs into one repository; it cannot be combined with --global");
                done = p.GetValue(server)
                    ? HookInstaller.Install(dir, p.GetValue(force), InstalledFrom(), false, HookInstaller.ServerHookNames,
                        $"--timeout {p.GetValue(timeout)} --on-timeout {p.GetValue(onTimeout)}")
                    : HookInstaller.Install(dir, p.GetValue(force), InstalledFrom(), isGlobal);
                if (setGlobal) HooksDirectory.SetGlobal(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"{dir}: {e.Message}"); }
            foreach (var line in done) Console.Error.WriteLine($"keyguard: {Path.Combine(dir, line)}");
            if (setGlobal) Console.Error.WriteLine($"keyguard: set git config --global core.hooksPath {dir}");
            return ExitCodes.Clean;
        });
        return command;
    }

    /// <summary>This binary, so the hooks find it even off PATH: the NativeAOT/apphost file, or keyguard.dll under dotnet.</summary>
    internal static string InstalledFrom()
    {
        var process = Environment.ProcessPath ?? "";
        var name = Path.GetFileNameWithoutExtension(process);
        return name == "dotnet" ? Path.Combine(AppContext.BaseDirectory, "keyguard.dll") : process;
    }
}
