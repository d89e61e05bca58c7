using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace KeyGuard.Tests.Audit;

/// <summary>
/// Skips only when Debian's chromium is not installed and we are not in CI; in CI a missing browser fails the test,
/// so the browser check cannot silently disappear.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!File.Exists(HeadlessChromium.Executable) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            Skip = $"SKIPPED: {HeadlessChromium.Executable} is not installed (apt-get install -y chromium)";
    }
}

/// <summary>
/// Debian's headless chromium driven over the DevTools protocol (a WebSocket, no extra package):
/// it loads a page, records every network request the page makes, and evaluates expressions in it.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _receiveLoop = Task.CompletedTask;
    private int _nextId;
    private string? _sessionId;

    /// <summary>Every DevTools event received, in order (method, params).</summary>
    public ConcurrentQueue<(string Method, JsonElement Params)> Events { get; } = new();

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static async Task<HeadlessChromium> StartAsync()
    {
        var profile = Directory.CreateTempSubdirectory("keyguard-chromium-").FullName;
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                     "--disable-extensions", $"--user-data-dir={profile}", "--remote-debugging-port=0",
                     "--window-size=1280,1600", "about:blank",
                 })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var browser = new HeadlessChromium(process, profile);

        // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        string? webSocketUrl = null;
        while (webSocketUrl is null && DateTime.UtcNow < deadline)
        {
            var line = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(90));
            if (line is null) break;
            var match = Regex.Match(line, @"DevTools listening on (ws://\S+)");
            if (match.Success) webSocketUrl = match.Groups[1].Value;
        }
        if (webSocketUrl is null)
        {
            await browser.DisposeAsync();
            throw new InvalidOperationException("chromium did not print its DevTools address");
        }
        // Keep draining stderr so chromium never blocks on a full pipe.
        _ = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();

        await browser._socket.ConnectAsync(new Uri(webSocketUrl), CancellationToken.None);
        browser._receiveLoop = Task.Run(browser.ReceiveAsync);
        // Drive the about:blank tab chromium opened; creating another costs seconds on a small machine.
        var targets = await browser.SendAsync("Target.getTargets", new { });
        var page = targets.GetProperty("targetInfos").EnumerateArray().First(t => t.GetProperty("type").GetString() == "page");
        var attached = await browser.SendAsync("Target.attachToTarget",
            new { targetId = page.GetProperty("targetId").GetString(), flatten = true });
        browser._sessionId = attached.GetProperty("sessionId").GetString();
        return browser;
    }

    /// <summary>Loads <paramref name="url"/> with network and log recording on, and waits for the load event.</summary>
    public async Task NavigateAsync(string url)
    {
        await SendAsync("Network.enable", new { });
        await SendAsync("Log.enable", new { });
        await SendAsync("Page.enable", new { });
        await SendAsync("Page.navigate", new { url });
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!Events.Any(e => e.Method == "Page.loadEventFired"))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{url} did not finish loading");
            await Task.Delay(50);
        }
        // Give late subresource requests (if any) a moment to show up in the log.
        await Task.Delay(500);
    }

    /// <summary>URLs of every request the page started (Network.requestWillBeSent).</summary>
    public IReadOnlyList<string> RequestedUrls => Events
        .Where(e => e.Method == "Network.requestWillBeSent")
        .Select(e => e.Params.GetProperty("request").GetProperty("url").GetString()!)
        .ToList();

    /// <summary>Console and browser log entries (CSP violations, failed loads).</summary>
    public IReadOnlyList<string> LogEntries => Events
        .Where(e => e.Method == "Log.entryAdded")
        .Select(e => e.Params.GetProperty("entry").GetProperty("text").GetString()!)
        .ToList();

    /// <summary>Evaluates a JavaScript expression that returns a JSON string, and parses it.</summary>
    public async Task<JsonElement> EvaluateJsonAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true });
        if (result.TryGetProperty("exceptionDetails", out var error))
            throw new InvalidOperationException($"page script failed: {error}");
        return JsonDocument.Parse(result.GetProperty("result").GetProperty("value").GetString()!).RootElement;
    }

    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new { format = "png", captureBeyondViewport = true });
        return Convert.FromBase64String(result.GetProperty("data").GetString()!);
    }

    private async Task<JsonElement> SendAsync(string method, object parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = _sessionId is null
            ? JsonSerializer.Serialize(new { id, method, @params = parameters })
            : JsonSerializer.Serialize(new { id, method, @params = parameters, sessionId = _sessionId });
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
        return await reply.Task.WaitAsync(TimeSpan.FromSeconds(90));
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open && !_stop.IsCancellationRequested)
            {
                var part = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (part.MessageType == WebSocketMessageType.Close) return;
                message.Write(buffer, 0, part.Count);
                if (!part.EndOfMessage) continue;
                var root = JsonDocument.Parse(message.ToArray()).RootElement;
                message.SetLength(0);
                if (root.TryGetProperty("id", out var id) && _pending.TryRemove(id.GetInt32(), out var reply))
                {
                    if (root.TryGetProperty("error", out var error))
                        reply.SetException(new InvalidOperationException($"DevTools error: {error}"));
                    else
                        reply.SetResult(root.GetProperty("result"));
                }
                else if (root.TryGetProperty("method", out var method))
                    Events.Enqueue((method.GetString()!, root.TryGetProperty("params", out var p) ? p : default));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            if (_socket.State == WebSocketState.Open)
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException)
        {
        }
        _socket.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
