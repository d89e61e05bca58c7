namespace KeyGuard;

/// <summary>The documented process exit codes (docs/exit-codes.md).</summary>
public static class ExitCodes
{
    public const int Clean = 0;
    public const int Findings = 1;
    public const int Usage = 2;
    public const int ScanError = 3;
    /// <summary>An AWS call failed in a way that stopped the command (report, plan, apply).</summary>
    public const int AwsError = 4;
    /// <summary>Stopped by Ctrl-C (SIGINT), as shells report 128 + 2.</summary>
    public const int Interrupted = 130;
}

/// <summary>A problem the user caused (bad option, unreadable config): printed as one line, exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);
