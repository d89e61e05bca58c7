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
    private TimeSpan _lastShown;
    private int _stepsDone;
    private string? _stepping;

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
    /// One more item of a long per-item read done (e.g. 20,000 IAM calls for 10,000 users' policies): shown for the
    /// first item, the last, and otherwise at most once a second, so a log gets a few lines, not one per item.
    /// Items finish in parallel and their callbacks race, so the count is kept here, under the lock, not taken from
    /// the caller: the lines are 1, …, total in order whatever order the callbacks arrive in.
    /// </summary>
    public void Step(string what, int total)
    {
        if (stderr is null) return;
        lock (this)
        {
            if (what != _stepping) (_stepping, _stepsDone) = (what, 0);
            int done = ++_stepsDone;
            var now = _clock.Elapsed;
            if (done != 1 && done != total && now - _lastShown < TimeSpan.FromSeconds(1)) return;
            _lastShown = now;
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
