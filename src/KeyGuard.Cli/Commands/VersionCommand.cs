using System.CommandLine;
using System.Reflection;

namespace KeyGuard.Cli.Commands;

/// <summary><c>keyguard version</c>: the same as <c>keyguard --version</c>, for people and scripts that try the word first.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print KeyGuard's version.");
        command.SetAction(_ =>
        {
            Console.Out.WriteLine(Text());
            return ExitCodes.Clean;
        });
        return command;
    }

    public static string Text() =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
