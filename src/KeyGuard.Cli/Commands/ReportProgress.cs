namespace KeyGuard.Cli.Commands;

/// <summary>
/// What `keyguard report` is waiting for, on stderr: IAM generating the credential report (minutes on a large
/// account) and the account baseline reads. On a terminal the line is redrawn in place and cleared at the end;
/// when forced (--progress) off a terminal, each step is its own line so logs keep it. Off otherwise: pipes and CI
/// logs stay clean unless asked.
/// </summary>
internal sealed class ReportProgress(TextWriter? stderr, bool redraw) : IDisposable
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private bool _drawn;

    /// <summary>Progress for this run: --no-progress turns it off, --progress forces it on, else only on a terminal.</summary>
    public static ReportProgress For(bool forced, bool disabled)
    {
        bool terminal = !Console.IsErrorRedirected;
        return disabled || !(forced || terminal) ? new ReportProgress(null, false) : new ReportProgress(Console.Error, terminal);
    }

    public void Show(string message)
    {
        if (stderr is null) return;
        lock (this)
        {
            if (redraw)
            {
                stderr.Write("\r\x1b[K" + message);
                _drawn = true;
            }
            else
                stderr.WriteLine(message);
            stderr.Flush();
        }
    }

    /// <summary>The fetcher's hook: one message per poll, with the time spent so far and the next wait.</summary>
    public void Waiting(int poll, TimeSpan wait) =>
        Show($"keyguard: IAM is generating the credential report (poll {poll}, {_clock.Elapsed.TotalSeconds:0} s so far; next check in {wait.TotalSeconds:0} s)");

    public void Dispose()
    {
        lock (this)
        {
            if (_drawn) stderr!.Write("\r\x1b[K");
            _drawn = false;
        }
    }
}
