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
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(PlanCommand.Create());
root.Subcommands.Add(ApplyCommand.Create());
root.Subcommands.Add(OrgScanCommand.Create());
root.Subcommands.Add(OrgMergeCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // One line per problem: System.CommandLine lists allowed values on extra lines.
    foreach (var error in parse.Errors) Console.Error.WriteLine("keyguard: " + string.Join(' ', error.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)));
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
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"keyguard: {e.Message}");
    return ExitCodes.ScanError;
}
