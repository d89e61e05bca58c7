using System.CommandLine;
using KeyGuard;
using KeyGuard.Cli.Commands;

var root = new RootCommand("KeyGuard: finds leaked AWS credentials and closes the loop in IAM.");
// Each command lives in its own file under Commands/ and adds itself here.
root.Subcommands.Add(ScanCommand.Create());
root.Subcommands.Add(BaselineCommand.Create());
root.Subcommands.Add(HookCommand.Create());
root.Subcommands.Add(InstallCommand.Create());
root.Subcommands.Add(UninstallCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors) Console.Error.WriteLine($"keyguard: {error.Message}");
    return ExitCodes.Usage;
}
try
{
    return await parse.InvokeAsync();
}
catch (UsageException e)
{
    Console.Error.WriteLine($"keyguard: {e.Message}");
    return ExitCodes.Usage;
}
