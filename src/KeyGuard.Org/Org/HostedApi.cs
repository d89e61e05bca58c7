using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace KeyGuard.Org;

/// <summary>A repository listing (--github-org, --gitlab-group) that could not be completed; one line, never the token.</summary>
internal sealed class RepoListingException(string message) : Exception(message);

/// <summary>
/// Reads every page of one list endpoint of a code host's REST API with a token: follows <c>Link: rel="next"</c> (and
/// GitLab's <c>X-Next-Page</c>), only to the API's own origin so the token goes nowhere else; waits out a rate limit
/// (403/429 with Retry-After or an exhausted X-RateLimit-Remaining / RateLimit-Remaining and its reset time) while the
/// total wait stays within <see cref="MaxWait"/>, else fails. Every failure is a <see cref="RepoListingException"/>:
/// a listing is complete or it is an error, never a shorter list.
/// </summary>
internal sealed class HostedApi : IDisposable
{
    private const int MaxPages = 10_000;
    private const long MaxPageBytes = 32L << 20;
    private const int MaxRetriesPerPage = 5;

    private readonly HttpClient _http;
    private readonly Action<HttpRequestHeaders> _authorize;
    private TimeSpan _waited;

    public HostedApi(string hostName, Uri baseUrl, string? token, string tokenVariable, Action<HttpRequestHeaders, string> authorize,
        TimeSpan maxWait, Action<string> notice)
    {
        HostName = hostName;
        BaseUrl = baseUrl;
        HasToken = token != null;
        TokenVariable = tokenVariable;
        MaxWait = maxWait;
        Notice = notice;
        _authorize = headers => { if (token != null) authorize(headers, token); };
        // No redirects: a redirect could carry a custom token header (GitLab's PRIVATE-TOKEN) to another host.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("keyguard", "1"));
    }

    public string HostName { get; }
    public Uri BaseUrl { get; }
    public bool HasToken { get; }
    public string TokenVariable { get; }
    public TimeSpan MaxWait { get; }
    private Action<string> Notice { get; }

    /// <summary>An API base URL from an option: absolute http(s); plain http only to this machine, as it would send the token in clear.</summary>
    public static Uri ParseBase(string text, string option, string? appendPath = null)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new InvalidInputException($"{option}: '{text}' is not an http(s) URL");
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
            throw new InvalidInputException($"{option}: {uri.Host} over plain http would send the token in clear; use https (http only for this machine)");
        var path = uri.AbsolutePath.TrimEnd('/');
        if (appendPath != null && !path.EndsWith(appendPath, StringComparison.OrdinalIgnoreCase)) path += appendPath;
        return new UriBuilder(uri) { Path = path + "/", Query = "", Fragment = "" }.Uri;
    }

    public Uri Url(string relative) => new(BaseUrl, relative);

    /// <summary>Every item of every page, in order. <paramref name="what"/> names the listed thing in errors ("organisation 'acme'").</summary>
    public async Task<List<T>> GetAllAsync<T>(Uri first, JsonTypeInfo<List<T>> type, string what, CancellationToken ct)
    {
        var items = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Uri? url = first;
        for (int page = 1; url != null; page++)
        {
            if (page > MaxPages) throw new RepoListingException($"{HostName}: more than {MaxPages:N0} pages listing {what}; stopped");
            if (!seen.Add(url.AbsoluteUri)) throw new RepoListingException($"{HostName}: page {page} of {what} links back to an earlier page; stopped");
            using var response = await SendAsync(url, what, ct);
            var body = await ReadBoundedAsync(response, url, ct);
            List<T>? list;
            try { list = JsonSerializer.Deserialize(body, type); }
            catch (JsonException e) { throw new RepoListingException($"{HostName}: page {page} of {what} is not the documented JSON ({OneLine(e.Message)})"); }
            if (list == null) throw new RepoListingException($"{HostName}: page {page} of {what} is empty (null)");
            items.AddRange(list);
            url = Next(response, url);
        }
        return items;
    }

    /// <summary>One GET, retried after a rate limit while the total wait stays within <see cref="MaxWait"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(Uri url, string what, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            _authorize(request.Headers);
            HttpResponseMessage response;
            try { response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct); }
            catch (HttpRequestException e) { throw new RepoListingException($"{HostName}: cannot reach {url.GetLeftPart(UriPartial.Authority)} ({OneLine(e.Message)})"); }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { throw new RepoListingException($"{HostName}: {url.GetLeftPart(UriPartial.Authority)} did not answer within {_http.Timeout.TotalSeconds:N0} s"); }
            if (response.IsSuccessStatusCode) return response;
            using (response)
            {
                var body = await ReadErrorAsync(response, ct);
                if (RateLimitWait(response) is { } wait)
                {
                    var until = DateTimeOffset.UtcNow + wait;
                    if (attempt > MaxRetriesPerPage || _waited + wait > MaxWait)
                        throw new RepoListingException($"{HostName}: rate limited ({(int)response.StatusCode}{Detail(body)}) until {until:yyyy-MM-dd HH:mm:ss} UTC, " +
                            $"{wait.TotalSeconds:N0} s, more than --api-max-wait {MaxWait.TotalSeconds:N0} s allows{(HasToken ? "" : $"; a token in {TokenVariable} raises the limit")}");
                    Notice($"{HostName}: rate limited ({(int)response.StatusCode}), waiting {wait.TotalSeconds:N0} s (until {until:HH:mm:ss} UTC)");
                    _waited += wait;
                    await Task.Delay(wait, ct);
                    continue;
                }
                throw Refused(response, body, url, what);
            }
        }
    }

    /// <summary>How long a rate-limit answer asks to wait, or null if the answer is not a rate limit.</summary>
    internal static TimeSpan? RateLimitWait(HttpResponseMessage response)
    {
        int code = (int)response.StatusCode;
        if (code != 429 && code != 403) return null;
        var h = response.Headers;
        if (h.RetryAfter is { } retry)
        {
            if (retry.Delta is { } delta) return Positive(delta);
            if (retry.Date is { } date) return Positive(date - DateTimeOffset.UtcNow);
        }
        bool exhausted = Header(h, "X-RateLimit-Remaining") == "0" || Header(h, "RateLimit-Remaining") == "0";
        if ((exhausted || code == 429) && (Header(h, "X-RateLimit-Reset") ?? Header(h, "RateLimit-Reset")) is { } reset
            && long.TryParse(reset, NumberStyles.None, CultureInfo.InvariantCulture, out long epoch))
            return Positive(DateTimeOffset.FromUnixTimeSeconds(epoch) - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
        // A 429 without a hint: GitHub's documented advice is to wait at least a minute.
        return code == 429 ? TimeSpan.FromSeconds(60) : null;
    }

    private static TimeSpan Positive(TimeSpan t) => t < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : t;

    private static string? Header(HttpResponseHeaders h, string name) => h.TryGetValues(name, out var v) ? v.FirstOrDefault()?.Trim() : null;

    private RepoListingException Refused(HttpResponseMessage response, string body, Uri url, string what)
    {
        int code = (int)response.StatusCode;
        var detail = Detail(body);
        return code switch
        {
            401 when HasToken => new($"{HostName} refused the token in {TokenVariable} (401{detail}): expired, revoked or mistyped"),
            401 => new($"{HostName} wants a token (401{detail}): set {TokenVariable}"),
            403 => new($"{HostName} denied listing {what} (403{detail}){(HasToken ? ": the token lacks a scope or SSO authorisation" : $": set {TokenVariable}")}"),
            404 => new($"{what} not found at {BaseUrl.GetLeftPart(UriPartial.Authority)} (404{detail}){(HasToken ? ", or the token cannot see it" : $"; if it is private, set {TokenVariable}")}"),
            >= 300 and < 400 => new($"{HostName}: {url.AbsolutePath} moved ({code}); give the API's current URL"),
            _ => new($"{HostName} answered {code} {response.ReasonPhrase}{detail} for {url.AbsolutePath}"),
        };
    }

    /// <summary>The API's own explanation ("Bad credentials"), escaped and cut short.</summary>
    private static string Detail(string body)
    {
        string? message = null;
        try
        {
            var wire = JsonSerializer.Deserialize(body, HostedRepoJsonContext.Default.HostedErrorWire);
            message = wire?.Message.ValueKind == JsonValueKind.String ? wire.Message.GetString()
                : wire?.Message.ValueKind == JsonValueKind.Object ? wire.Message.GetRawText() : wire?.Error;
        }
        catch (JsonException) { /* not JSON: the status says enough */ }
        if (string.IsNullOrWhiteSpace(message)) return "";
        message = OneLine(message);
        return ": " + (message.Length > 160 ? message[..160] + "…" : message);
    }

    private static string OneLine(string s) => Reporting.ControlCharacters.Escape(s.Split('\n')[0].Trim());

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[16384];
            int total = 0, n;
            while (total < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(total), ct)) > 0) total += n;
            return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (Exception e) when (e is IOException or HttpRequestException) { return ""; }
    }

    private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, Uri url, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > MaxPageBytes) throw TooLarge(url);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = await stream.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + n > MaxPageBytes) throw TooLarge(url);
                buffer.Write(chunk, 0, n);
            }
            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new RepoListingException($"{HostName}: the answer for {url.AbsolutePath} broke off ({OneLine(e.Message)})");
        }
    }

    private RepoListingException TooLarge(Uri url) => new($"{HostName}: a page of {url.AbsolutePath} is over {MaxPageBytes >> 20} MB; stopped");

    /// <summary>The next page: Link rel="next" (GitHub, GitLab), else GitLab's X-Next-Page; only on the API's own origin.</summary>
    internal Uri? Next(HttpResponseMessage response, Uri current)
    {
        Uri? next = null;
        if (response.Headers.TryGetValues("Link", out var links))
            foreach (var part in links.SelectMany(l => l.Split(',')))
            {
                var fields = part.Split(';');
                if (fields.Length < 2 || !fields.Skip(1).Any(f => f.Trim().Replace(" ", "") is "rel=\"next\"" or "rel=next")) continue;
                var target = fields[0].Trim().TrimStart('<').TrimEnd('>');
                if (!Uri.TryCreate(current, target, out next)) throw new RepoListingException($"{HostName}: unreadable next-page link for {current.AbsolutePath}");
                break;
            }
        if (next == null && Header(response.Headers, "X-Next-Page") is { Length: > 0 } page)
        {
            if (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out int n)) throw new RepoListingException($"{HostName}: unreadable X-Next-Page '{OneLine(page)}'");
            next = WithQuery(current, "page", n.ToString(CultureInfo.InvariantCulture));
        }
        if (next != null && !SameOrigin(next, BaseUrl))
            throw new RepoListingException($"{HostName}: the next page of {current.AbsolutePath} is on {next.GetLeftPart(UriPartial.Authority)}, not the API's origin; refused (the token is sent only to {BaseUrl.GetLeftPart(UriPartial.Authority)})");
        return next;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static Uri WithQuery(Uri url, string name, string value)
    {
        var pairs = url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.StartsWith(name + "=", StringComparison.Ordinal)).Append($"{name}={value}");
        return new UriBuilder(url) { Query = string.Join('&', pairs) }.Uri;
    }

    public void Dispose() => _http.Dispose();
}
