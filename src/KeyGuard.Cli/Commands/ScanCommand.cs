using System.CommandLine;

namespace KeyGuard.Cli.Commands;

internal static class ScanCommand
{
    public static Command Create()
    {
        var command = new Command("scan", "Scan files, directories, stdin or git history for AWS credentials.");
        command.SetAction(_ => 0);
        return command;
    }
}
