namespace KeyGuard.Cli.Commands;

/// <summary>
/// What a command is waiting for on AWS, on stderr: IAM generating the credential report (minutes on a large account),
/// the account baseline's per-user reads (`report`), the key lookups of `scan --verify`. On a terminal the line is redrawn in place and cleared at the end;
/// when forced (--progress) off a terminal, each step is its own line so logs keep it. Off otherwise: pipes and CI
/// logs stay clean unless asked.
/// </summary>
internal sealed class StderrProgress(TextWriter? stderr, bool redraw) : IDisposable
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private bool _drawn;
    private TimeSpan _lastCount = TimeSpan.MinValue;
    private int _lastDone;

    /// <summary>Progress for this run: --no-progress turns it off, --progress forces it on, else only on a terminal.</summary>
    public static StderrProgress For(bool forced, bool disabled)
    {
        bool terminal = !Console.IsErrorRedirected;
        return disabled || !(forced || terminal) ? new StderrProgress(null, false) : new StderrProgress(Console.Error, terminal);
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

    /// <summary>
    /// One step of a long per-item read (e.g. 20,000 IAM calls for 10,000 users' policies): shown for the first item, the
    /// last, and otherwise at most once a second, so a log gets a few lines, not one per item.
    /// </summary>
    public void Count(string what, int done, int total)
    {
        if (stderr is null) return;
        lock (this)
        {
            var now = _clock.Elapsed;
            // Items finish in parallel: a count lower than one already shown is old news.
            if (done <= _lastDone || (done != 1 && done != total && now - _lastCount < TimeSpan.FromSeconds(1))) return;
            _lastCount = now;
            _lastDone = done;
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            Show($"keyguard: {what}: {done.ToString("N0", invariant)} of {total.ToString("N0", invariant)}");
        }
    }

    public void Dispose()
    {
        lock (this)
        {
            if (_drawn) stderr!.Write("\r\x1b[K");
            _drawn = false;
        }
    }
}
