using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KeyGuard.Tests.Org;

/// <summary>
/// Smart-HTTP git on 127.0.0.1 that demands Basic authentication: git http-backend (CGI) behind an HttpListener.
/// Serves the bare repositories under <see cref="ProjectRoot"/>. Counts answered and refused requests.
/// </summary>
public sealed class AuthenticatingGitServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _expected;
    private readonly string _home;
    private readonly Task _loop;
    private int _authorized;
    private int _refused;

    public AuthenticatingGitServer(string projectRoot, string home, string user, string password)
    {
        ProjectRoot = projectRoot;
        _home = home;
        _expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public string ProjectRoot { get; }
    public int Port { get; }
    public int Authorized => Volatile.Read(ref _authorized);
    public int Refused => Volatile.Read(ref _refused);

    private async Task AcceptLoop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        try
        {
            if (context.Request.Headers["Authorization"] != _expected)
            {
                Interlocked.Increment(ref _refused);
                context.Response.StatusCode = 401;
                context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"git\"");
                context.Response.Close();
                return;
            }
            Interlocked.Increment(ref _authorized);
            await RunBackend(context);
        }
        catch (Exception)
        {
            try { context.Response.Abort(); } catch (Exception) { /* gone */ }
        }
    }

    /// <summary>The CGI exchange: request as environment + stdin, "Header: value" lines, a blank line, then the body.</summary>
    private async Task RunBackend(HttpListenerContext context)
    {
        var request = context.Request;
        var psi = new ProcessStartInfo("git", "http-backend")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["GIT_PROJECT_ROOT"] = ProjectRoot;
        psi.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["HOME"] = _home;
        psi.Environment["REQUEST_METHOD"] = request.HttpMethod;
        psi.Environment["PATH_INFO"] = request.Url!.AbsolutePath;
        psi.Environment["QUERY_STRING"] = request.Url.Query.TrimStart('?');
        psi.Environment["CONTENT_TYPE"] = request.ContentType ?? "";
        psi.Environment["REMOTE_USER"] = "ci-user";
        psi.Environment["REMOTE_ADDR"] = "127.0.0.1";
        if (request.Headers["Content-Encoding"] is { } encoding) psi.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        if (request.Headers["Git-Protocol"] is { } protocol) psi.Environment["GIT_PROTOCOL"] = protocol;
        using var backend = Process.Start(psi)!;
        var stderr = backend.StandardError.ReadToEndAsync();
        var feed = Task.Run(async () =>
        {
            await request.InputStream.CopyToAsync(backend.StandardInput.BaseStream);
            backend.StandardInput.Close();
        });
        using var output = new MemoryStream();
        await backend.StandardOutput.BaseStream.CopyToAsync(output);
        await feed;
        await backend.WaitForExitAsync();
        _ = await stderr;

        var bytes = output.ToArray();
        int split = IndexOf(bytes, "\r\n\r\n"u8, out int separator);
        if (split < 0) split = IndexOf(bytes, "\n\n"u8, out separator);
        var head = Encoding.ASCII.GetString(bytes, 0, Math.Max(0, split));
        foreach (var line in head.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase)) context.Response.StatusCode = int.Parse(value.Split(' ')[0]);
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) context.Response.ContentType = value;
            else if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) context.Response.AddHeader(name, value);
        }
        var body = split < 0 ? bytes : bytes[(split + separator)..];
        context.Response.ContentLength64 = body.Length;
        await context.Response.OutputStream.WriteAsync(body);
        context.Response.Close();
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle, out int length)
    {
        length = needle.Length;
        return haystack.AsSpan().IndexOf(needle);
    }

    public void Dispose()
    {
        try { _listener.Close(); } catch (Exception) { /* already closed */ }
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (Exception) { /* stopping */ }
    }
}
