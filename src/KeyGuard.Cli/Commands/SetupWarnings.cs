using KeyGuard.Reporting;

namespace KeyGuard.Cli.Commands;

/// <summary>The scan session's warnings on stderr, escaped: they quote the scanned repository's own config.</summary>
internal static class SetupWarnings
{
    public static void Print(IEnumerable<string> warnings)
    {
        foreach (var warning in warnings) Console.Error.WriteLine($"keyguard: warning: {ControlCharacters.Escape(warning)}");
    }
}
