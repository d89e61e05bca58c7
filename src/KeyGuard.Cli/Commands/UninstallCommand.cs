using System.CommandLine;
using KeyGuard.Hooks;

namespace KeyGuard.Cli.Commands;

/// <summary><c>keyguard uninstall [--global]</c>: removes exactly the hooks install wrote and restores chained ones.</summary>
internal static class UninstallCommand
{
    public static Command Create()
    {
        var global = new Option<bool>("--global") { Description = "Uninstall from the global hooks dir (and unset core.hooksPath if install set it)." };
        var command = new Command("uninstall", "Remove KeyGuard's git hooks, restoring any hook install had chained or replaced.");
        var server = new Option<bool>("--server") { Description = "Remove the server-side pre-receive hook that install --server wrote." };
        command.Options.Add(global);
        command.Options.Add(server);
        command.SetAction(p =>
        {
            bool isGlobal = p.GetValue(global);
            string? dir = isGlobal ? HooksDirectory.GlobalConfigured() ?? HooksDirectory.DefaultGlobal() : HooksDirectory.ForRepository(Environment.CurrentDirectory);
            if (!Directory.Exists(dir)) { Console.Error.WriteLine($"keyguard: {dir}: no hooks directory; nothing to remove"); return ExitCodes.Clean; }
            try
            {
                var done = HookInstaller.Uninstall(dir, p.GetValue(server) ? HookInstaller.ServerHookNames : null);
                foreach (var line in done) Console.Error.WriteLine($"keyguard: {Path.Combine(dir, line)}");
                if (done.Count == 0) Console.Error.WriteLine($"keyguard: {dir}: no KeyGuard hooks installed");
                if (isGlobal && HooksDirectory.UnsetGlobalIfOurs(dir)) Console.Error.WriteLine("keyguard: unset git config --global core.hooksPath");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"{dir}: {e.Message}"); }
            return ExitCodes.Clean;
        });
        return command;
    }
}
