namespace KeyGuard.Cli;

/// <summary>
/// Whether to colour a stream, by the conventions other tools follow: NO_COLOR (set and not empty) and --no-color
/// turn colour off, TERM=dumb has none, FORCE_COLOR / CLICOLOR_FORCE turn it on where output is not a terminal
/// (CI logs render ANSI), and otherwise a terminal gets colour.
/// </summary>
internal static class TerminalColors
{
    public static bool For(bool streamRedirected, bool noColorOption)
    {
        if (noColorOption || Set("NO_COLOR")) return false;
        if (Forced("FORCE_COLOR") || Forced("CLICOLOR_FORCE")) return true;
        if (Environment.GetEnvironmentVariable("TERM") == "dumb") return false;
        return !streamRedirected;
    }

    private static bool Set(string name) => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name));

    private static bool Forced(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v && v != "0" && v != "false";
}
