namespace KeyGuard;

/// <summary>The documented process exit codes (docs/exit-codes.md).</summary>
internal static class ExitCodes
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

/// <summary>The exit code of a scan's and an org scan's outcome: errors outrank findings (docs/exit-codes.md).</summary>
internal static class OutcomeExitCodes
{
    extension(KeyGuard.Scanning.ScanResult result)
    {
        public int ExitCode => result.Errors.Count > 0 ? ExitCodes.ScanError : result.Findings.Count > 0 ? ExitCodes.Findings : ExitCodes.Clean;
    }

    extension(KeyGuard.Org.OrgSummary summary)
    {
        public int ExitCode => summary.Failed.Any() ? ExitCodes.ScanError
            : summary.All.Any(f => f.Status is "new" or "open") ? ExitCodes.Findings : ExitCodes.Clean;
    }
}
