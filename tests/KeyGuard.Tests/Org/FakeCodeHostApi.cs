using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KeyGuard.Tests.Org;

/// <summary>
/// A code host's REST API on 127.0.0.1 (HttpListener) for --github-org / --gitlab-group tests: every request is
/// recorded (raw target and the token headers) and answered by the test's handler.
/// </summary>
public sealed class FakeCodeHostApi : IDisposable
{
    public sealed record Request(string Target, string? Authorization, string? PrivateToken);

    public sealed record Reply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);

    private readonly HttpListener _listener = new();
    private readonly Func<Request, FakeCodeHostApi, Reply> _handler;
    private readonly Task _loop;

    public FakeCodeHostApi(Func<Request, FakeCodeHostApi, Reply> handler)
    {
        _handler = handler;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public ConcurrentQueue<Request> Requests { get; } = new();

    private async Task AcceptLoop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            try
            {
                var request = new Request(context.Request.RawUrl ?? "", context.Request.Headers["Authorization"], context.Request.Headers["PRIVATE-TOKEN"]);
                Requests.Enqueue(request);
                var reply = _handler(request, this);
                context.Response.StatusCode = reply.Status;
                context.Response.ContentType = "application/json";
                foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>()) context.Response.AddHeader(name, value);
                var bytes = Encoding.UTF8.GetBytes(reply.Body);
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception)
            {
                try { context.Response.Abort(); } catch (Exception) { /* gone */ }
            }
        }
    }

    public void Dispose()
    {
        try { _listener.Close(); } catch (Exception) { /* already closed */ }
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (Exception) { /* stopping */ }
    }
}
