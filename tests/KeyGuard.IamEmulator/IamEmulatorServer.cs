using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using KeyGuard.Aws;

namespace KeyGuard.IamEmulator;

/// <summary>
/// An IAM + STS endpoint on 127.0.0.1 speaking the Query wire protocol (aws-iam.md §1, §2): form-encoded POSTs,
/// namespaced XML envelopes, ErrorResponse documents with AWS's status codes. Every request must carry a valid SigV4
/// signature made with the secret of a key the emulator issued. One URL serves both services; the credential scope's
/// service (iam or sts) picks which.
/// </summary>
internal sealed class IamEmulatorServer : IAsyncDisposable
{
    public const string IamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/";
    public const string StsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private IamEmulatorServer(HttpListener listener, Uri url, EmulatorState state)
    {
        _listener = listener;
        Url = url;
        State = state;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Url { get; }
    public EmulatorState State { get; }
    public OperationLog Log { get; } = new();
    public FaultInjector Faults { get; } = new();
    /// <summary>Largest page any listing returns (MaxItems can only lower it). Small values exercise pagination.</summary>
    public int PageSize { get; set; } = 100;
    /// <summary>The most requests that were being answered at the same moment (tests check client concurrency bounds).</summary>
    public int MaxConcurrentRequests => Volatile.Read(ref _maxInFlight);
    private int _inFlight;
    private int _maxInFlight;

    /// <summary>The region IAM requests must be signed for (the partition's signing region).</summary>
    public string IamSigningRegion { get; set; } = "us-east-1";

    /// <summary>Starts listening on 127.0.0.1; port 0 picks a free port.</summary>
    public static IamEmulatorServer Start(EmulatorState? state = null, int port = 0)
    {
        for (int attempt = 0; ; attempt++)
        {
            int chosen = port != 0 ? port : FreePort();
            var listener = new HttpListener();
            var url = new Uri($"http://127.0.0.1:{chosen}/");
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
                return new IamEmulatorServer(listener, url, state ?? new EmulatorState());
            }
            catch (HttpListenerException) when (port == 0 && attempt < 5)
            {
                listener.Close(); // the free port was taken between probe and bind: try another
            }
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        int now = Interlocked.Increment(ref _inFlight);
        for (int max = Volatile.Read(ref _maxInFlight); now > max; max = Volatile.Read(ref _maxInFlight))
            Interlocked.CompareExchange(ref _maxInFlight, now, max);
        try
        {
            var (status, xml, bodyFault, contentType, errorType) = await RespondAsync(context.Request).ConfigureAwait(false);
            if (bodyFault == FaultKind.ResponseLost)
            {
                context.Response.Abort();
                return;
            }
            byte[] bytes = bodyFault switch
            {
                FaultKind.EmptyBody => [],
                FaultKind.TruncatedBody => Encoding.UTF8.GetBytes(xml[..(xml.Length / 2)]),
                FaultKind.OversizedBody when xml.StartsWith('{') => Encoding.UTF8.GetBytes(xml.Insert(xml.Length - 1, new string(' ', OversizedBytes))),
                FaultKind.OversizedBody => Encoding.UTF8.GetBytes(xml.Insert(xml.LastIndexOf("</", StringComparison.Ordinal), "<!--" + new string('x', OversizedBytes) + "-->")),
                _ => Encoding.UTF8.GetBytes(xml),
            };
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            if (errorType is not null) context.Response.Headers["x-amzn-ErrorType"] = errorType;
            if (bodyFault == FaultKind.OversizedBody) context.Response.SendChunked = true;
            else context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, _stop.Token).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception)
        {
            // The client went away (e.g. a timeout test): nothing to answer.
            try { context.Response.Abort(); } catch (Exception) { /* already gone */ }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>How far <see cref="FaultKind.OversizedBody"/> pads an answer: past KeyGuard's 10 MB cap.</summary>
    public const int OversizedBytes = 12 * 1024 * 1024;

    private static bool IsBodyFault(FaultKind kind) =>
        kind is FaultKind.EmptyBody or FaultKind.TruncatedBody or FaultKind.OversizedBody or FaultKind.ResponseLost;

    private async Task<(int Status, string Xml, FaultKind? BodyFault, string ContentType, string? ErrorType)> RespondAsync(HttpListenerRequest request)
    {
        using var buffer = new MemoryStream();
        await request.InputStream.CopyToAsync(buffer).ConfigureAwait(false);
        byte[] body = buffer.ToArray();
        var auth = SigV4Authorization.Parse(request.Headers["Authorization"]);
        string service = auth?.Service ?? "iam";
        bool json = service is "cloudtrail" or "config";
        var parameters = json ? new Dictionary<string, string>() : ParseForm(Encoding.UTF8.GetString(body));
        if (auth is not null && BaselineActions.Services.Contains(service))
            return await RespondBaselineAsync(request, auth, body, parameters).ConfigureAwait(false);
        string action = parameters.GetValueOrDefault("Action") ?? "";
        string ns = service == "sts" ? StsNamespace : IamNamespace;

        int status;
        string xml;
        FaultKind? bodyFault = null;
        try
        {
            var caller = Authenticate(request, auth, body);
            var handlers = service == "sts" ? StsActions.Handlers : IamActions.Handlers;
            if (!handlers.TryGetValue(action, out var handler))
                throw new EmulatorError("InvalidAction", 400, $"Could not find operation {action} for version {parameters.GetValueOrDefault("Version")}");

            if (Faults.Next(action) is { } fault)
            {
                if (fault.Kind == FaultKind.Slow) await Task.Delay(fault.Delay, _stop.Token).ConfigureAwait(false);
                else if (IsBodyFault(fault.Kind)) bodyFault = fault.Kind; // the action still runs
                else throw FaultError(fault.Kind, action, service, caller);
            }

            IEnumerable<XElement> result;
            lock (State.Sync)
            {
                result = handler(new ActionContext(State, caller, parameters, PageSize)).ToList();
                RecordUse(caller, service);
            }
            (status, xml) = (200, Envelope(ns, action, result));
        }
        catch (EmulatorError e)
        {
            (status, xml) = (e.HttpStatus, ErrorDocument(ns, e));
        }

        Log.Add(new LoggedOperation(State.Now(), service, action, auth?.AccessKeyId, parameters, status,
            status >= 300 ? XDocument.Parse(xml).Descendants().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value : null,
            request.UserAgent));
        return (status, xml, status < 300 ? bodyFault : null, "text/xml", null);
    }

    /// <summary>CloudTrail, Config, Access Analyzer, S3 Control and EC2: the signed region picks the region's state.</summary>
    private async Task<(int Status, string Body, FaultKind? BodyFault, string ContentType, string? ErrorType)> RespondBaselineAsync(
        HttpListenerRequest request, SigV4Authorization auth, byte[] body, Dictionary<string, string> form)
    {
        string service = auth.Service;
        var protocol = BaselineActions.Protocol(service);
        string action = BaselineActions.Action(protocol, request.HttpMethod, request.Url!.AbsolutePath, request.Headers["X-Amz-Target"], form) ?? "";
        // S3 Control's GetPublicAccessBlock is authorised as s3:GetAccountPublicAccessBlock.
        string permission = service == "s3" ? "s3:GetAccountPublicAccessBlock" : $"{service}:{action}";
        int status;
        string text;
        string contentType = protocol switch { WireProtocol.Json11 => "application/x-amz-json-1.1", WireProtocol.RestJson => "application/json", _ => "text/xml" };
        string? errorType = null;
        FaultKind? bodyFault = null;
        try
        {
            var caller = Authenticate(request, auth, body);
            if (!BaselineActions.Handlers.TryGetValue($"{service}:{action}", out var handler))
                throw new EmulatorError(protocol == WireProtocol.Json11 ? "UnknownOperationException" : "InvalidAction", 400, $"unknown operation {service}:{action}");
            if (Faults.Next(action, auth.Region) is { } fault)
            {
                if (fault.Kind == FaultKind.Slow) await Task.Delay(fault.Delay, _stop.Token).ConfigureAwait(false);
                else if (IsBodyFault(fault.Kind)) bodyFault = fault.Kind;
                else throw BaselineActions.Fault(fault.Kind, protocol, permission, caller);
            }
            var query = request.QueryString.AllKeys.OfType<string>().ToDictionary(k => k, k => request.QueryString[k] ?? "", StringComparer.Ordinal);
            var context = new BaselineContext(caller, auth.Region, protocol == WireProtocol.Json11 ? BaselineActions.ParseBody(body) : null,
                query, name => request.Headers[name]);
            lock (State.Sync)
            {
                text = handler(context);
                RecordUse(caller, service);
            }
            status = 200;
        }
        catch (EmulatorError e)
        {
            status = e.HttpStatus;
            (text, contentType, errorType) = BaselineActions.Error(protocol, e);
        }
        Log.Add(new LoggedOperation(State.Now(), service, action, auth.AccessKeyId,
            new Dictionary<string, string>(form) { ["Region"] = auth.Region }, status,
            status >= 300 ? ErrorCodeOf(protocol, text, errorType) : null, request.UserAgent));
        return (status, text, status < 300 ? bodyFault : null, contentType, errorType);
    }

    private static string? ErrorCodeOf(WireProtocol protocol, string text, string? errorType) => protocol switch
    {
        WireProtocol.RestJson => errorType,
        WireProtocol.Json11 => System.Text.Json.Nodes.JsonNode.Parse(text)?["__type"]?.GetValue<string>(),
        _ => XDocument.Parse(text).Descendants().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value,
    };

    /// <summary>Finds the signing key and checks the signature, scope and session token, as AWS does before anything else.</summary>
    private EmulatedKey Authenticate(HttpListenerRequest request, SigV4Authorization? auth, byte[] body)
    {
        if (auth is null)
            throw new EmulatorError("MissingAuthenticationToken", 403, "Request is missing Authentication Token");
        var key = State.FindKey(auth.AccessKeyId);
        if (key is null || key.Status != AccessKeyStatus.Active)
            throw new EmulatorError("InvalidClientTokenId", 403, "The security token included in the request is invalid.");
        if (!SigV4Verifier.Verify(auth, key.SecretAccessKey, request.HttpMethod, request.Url!, request.Headers, body))
            throw new EmulatorError("SignatureDoesNotMatch", 403,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        if (auth.Service == "iam" && auth.Region != IamSigningRegion)
            throw new EmulatorError("SignatureDoesNotMatch", 403, $"Credential should be scoped to a valid region, not '{auth.Region}'.");
        if (auth.Service is not ("iam" or "sts") && !BaselineActions.Services.Contains(auth.Service))
            throw new EmulatorError("SignatureDoesNotMatch", 403, $"Credential should be scoped to correct service: '{auth.Service}'.");
        if (key.SessionToken != null && request.Headers["x-amz-security-token"] != key.SessionToken)
            throw new EmulatorError("InvalidClientTokenId", 403, "The security token included in the request is invalid.");
        return key;
    }

    /// <summary>AWS updates a key's last-used data when it signs a call; so does the emulator.</summary>
    private void RecordUse(EmulatedKey caller, string service)
    {
        caller.LastUsedDate = State.Now();
        caller.LastUsedService = service;
        caller.LastUsedRegion = "us-east-1";
    }

    private static EmulatorError FaultError(FaultKind kind, string action, string service, EmulatedKey caller) => kind switch
    {
        FaultKind.Throttling => new EmulatorError("Throttling", 400, "Rate exceeded"),
        FaultKind.AccessDenied => new EmulatorError("AccessDenied", 403,
            $"User: {caller.User.Arn} is not authorized to perform: {service}:{action} because no identity-based policy allows the {service}:{action} action"),
        _ => new EmulatorError("ServiceFailure", 500, "Request processing has failed due to an unknown error, exception or failure."),
    };

    private static string Envelope(string ns, string action, IEnumerable<XElement> result)
    {
        var root = new XElement(action + "Response",
            new XElement(action + "Result", result),
            new XElement("ResponseMetadata", new XElement("RequestId", Guid.NewGuid().ToString())));
        return Namespaced(root, ns);
    }

    private static string ErrorDocument(string ns, EmulatorError e)
    {
        var root = new XElement("ErrorResponse",
            new XElement("Error",
                new XElement("Type", e.HttpStatus >= 500 ? "Receiver" : "Sender"),
                new XElement("Code", e.Code),
                new XElement("Message", e.Message)),
            new XElement("RequestId", Guid.NewGuid().ToString()));
        return Namespaced(root, ns);
    }

    private static string Namespaced(XElement root, string ns)
    {
        XNamespace x = ns;
        foreach (var e in root.DescendantsAndSelf()) e.Name = x + e.Name.LocalName;
        return root.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>application/x-www-form-urlencoded: '+' is a space, then percent-decoding.</summary>
    internal static Dictionary<string, string> ParseForm(string body)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            result[Decode(parts[0])] = parts.Length > 1 ? Decode(parts[1]) : "";
        }
        return result;

        static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        // Close alone (it stops too): Stop-then-Close makes the managed listener re-resolve the port, which another
        // emulator may already own.
        try { _listener.Close(); } catch (HttpListenerException) { /* already released */ }
        try { await _loop.ConfigureAwait(false); } catch (Exception) { /* stopping */ }
        _stop.Dispose();
    }
}
