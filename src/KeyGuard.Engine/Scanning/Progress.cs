namespace KeyGuard.Scanning;

/// <summary>
/// A one-line progress display on stderr, redrawn at most four times a second, only when stderr is a terminal:
/// CI logs and pipes stay clean.
/// </summary>
internal sealed class Progress : IDisposable
{
    private readonly Func<string> _describe;
    private readonly Timer? _timer;
    private bool _drawn;

    public Progress(bool enabled, Func<string> describe)
    {
        _describe = describe;
        if (enabled && !Console.IsErrorRedirected)
            _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(250));
    }

    private void Draw()
    {
        lock (this)
        {
            Console.Error.Write("\r\x1b[K" + Reporting.ControlCharacters.Escape(_describe()));
            _drawn = true;
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (this) if (_drawn) Console.Error.Write("\r\x1b[K");
    }
}
