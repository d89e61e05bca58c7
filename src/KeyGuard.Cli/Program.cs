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
    // Our handler below, not System.CommandLine's: a usage error is one line and exit 2, never a stack trace.
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (UsageException e)
{
    Console.Error.WriteLine($"keyguard: {e.Message}");
    return ExitCodes.Usage;
}
