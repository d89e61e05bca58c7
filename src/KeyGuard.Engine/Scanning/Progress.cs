namespace KeyGuard.Scanning;

/// <summary>
/// A one-line progress display on stderr, redrawn at most four times a second, only when stderr is a terminal:
/// CI logs and pipes stay clean. KEYGUARD_PROGRESS=always writes it anyway: to a pipe or log as whole lines, once a
/// second, the first one at once and the last one when the work ends (what tests and wrappers read).
/// </summary>
internal sealed class Progress : IDisposable
{
    private readonly Func<string> _describe;
    private readonly Timer? _timer;
    private readonly bool _lines;
    private bool _drawn, _disposed;

    public static bool Forced => Environment.GetEnvironmentVariable("KEYGUARD_PROGRESS") == "always";

    public Progress(bool enabled, Func<string> describe)
    {
        _describe = describe;
        if (!enabled) return;
        if (!Console.IsErrorRedirected)
            _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(250));
        else if (Forced)
        {
            _lines = true;
            Draw();
            _timer = new Timer(_ => Draw(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    private void Draw()
    {
        lock (this)
        {
            if (_disposed) return;
            var text = Reporting.ControlCharacters.Escape(_describe());
            Console.Error.Write(_lines ? text + "\n" : "\r\x1b[K" + text);
            _drawn = true;
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        if (_lines) Draw();
        lock (this)
        {
            if (_drawn && !_lines && !_disposed) Console.Error.Write("\r\x1b[K");
            _disposed = true;
        }
    }
}
