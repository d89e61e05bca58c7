using System.CommandLine;
using KeyGuard;
using KeyGuard.Cli;
using KeyGuard.Cli.Commands;

// Ctrl-C ends the process at once (exit 130): System.CommandLine's own handling only cancels a token, which a
// long synchronous sweep never looked at, so Ctrl-C was ignored (its handling is off below). Every state KeyGuard
// keeps survives that (SQLite's journal, baselines written by rename), and a rerun resumes an org scan where it stopped.
using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT,
    _ => Console.Error.WriteLine("keyguard: interrupted"));

// libgit2, and the TLS library it loads as it starts, take milliseconds to load: commands that read a repository
// load it on another core while this one parses the command line; the default rules and a JSON report's
// serialisation metadata (about a millisecond each) are built there next. A failure is left to the command's own
// first call, which reports it.
if (args.Length > 0 && args[0] is "scan" or "baseline" or "hook" or "install")
    new Thread(() =>
    {
        try { _ = LibGit2Sharp.GlobalSettings.Version; } catch (Exception) { }
        try { _ = KeyGuard.Detection.RuleSet.Default(); } catch (Exception) { }
        if (args.Any(a => a.EndsWith("json", StringComparison.Ordinal)))
            try { _ = KeyGuard.Reporting.ScanJsonContext.Default.Options.GetTypeInfo(typeof(KeyGuard.Reporting.ScanReportDocument)); } catch (Exception) { }
    }) { IsBackground = true, Name = "keyguard warm-up" }.Start();

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
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(CompletionCommand.Create());
root.Subcommands.Add(VersionCommand.Create());
CommandLineChecks.NamePlaceholders(root);

// A bug must still end in one line and a failing exit code (hooks fail closed), never a stack trace: exceptions
// on other threads end the process here too.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Console.Error.WriteLine($"keyguard: internal error: {Describe(e.ExceptionObject as Exception)}");
    Console.Error.Flush();
    Environment.Exit(ExitCodes.ScanError);
};

var parse = root.Parse(args);
var problems = parse.Errors.Select(e => e.Message).Concat(CommandLineChecks.StrayArguments(parse)).ToList();
if (problems.Count > 0)
{
    // One line per problem: System.CommandLine lists allowed values on extra lines.
    var help = $" (see '{CommandLineChecks.CommandPath(parse)} --help')";
    for (int i = 0; i < problems.Count; i++)
        Console.Error.WriteLine("keyguard: " + CommandLineChecks.OneLine(problems[i]) + (i == problems.Count - 1 ? help : ""));
    return ExitCodes.Usage;
}
try
{
    // Our handler below, not System.CommandLine's: a usage error is one line and exit 2, never a stack trace.
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
}
catch (InvalidInputException e)
{
    Console.Error.WriteLine($"keyguard: {e.Message}");
    return ExitCodes.Usage;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"keyguard: {e.Message}");
    return ExitCodes.ScanError;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("keyguard: interrupted");
    return ExitCodes.Interrupted;
}
catch (Exception e)
{
    Console.Error.WriteLine($"keyguard: internal error: {Describe(e)}");
    return ExitCodes.ScanError;
}

// A type initializer's failure says nothing itself; the cause (often a native library that is not there) does.
static string Describe(Exception? e)
{
    while (e is TypeInitializationException or System.Reflection.TargetInvocationException && e.InnerException != null) e = e.InnerException;
    return e == null ? "unknown" : $"{e.GetType().Name}: {CommandLineChecks.OneLine(e.Message)}" +
        (e is DllNotFoundException ? " (keep the .so/.dylib/.dll files that came with keyguard next to it)" : "");
}
