using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace KeyGuard.Aws;

/// <summary>
/// Sends one IAM Query-API request: form-encodes the parameters, signs with the SDK's
/// <see cref="AWSSigV4Signer"/>, posts, retries transient failures and returns the {Action}Result element.
/// </summary>
internal sealed class IamQueryTransport(HttpClient http, AWSCredentials credentials, Uri endpoint, string signingRegion, AwsRetryPolicy retry)
{
    private const string ApiVersion = "2010-05-08";
    // Must be byte-identical to the signed header (aws-iam.md §7 pitfall 2).
    private const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";

    public static string UserAgent { get; } =
        $"KeyGuard/{typeof(IamQueryTransport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";

    private readonly RegionEndpoint _region = RegionEndpoint.GetBySystemName(signingRegion);

    /// <param name="retryable">False for calls that must not be repeated blindly: a retry after a lost answer would act twice.</param>
    public Task<XElement> SendAsync(string action, IEnumerable<KeyValuePair<string, string?>> parameters, CancellationToken cancellationToken, bool retryable = true)
    {
        byte[] body = Encoding.UTF8.GetBytes(EncodeBody(action, parameters));
        return (retryable ? retry : retry.WithoutRetries()).ExecuteAsync("iam:" + action, ct => SendOnceAsync(action, body, ct), cancellationToken);
    }

    /// <summary>Action and Version first, then the parameters; empty optional values are left out.</summary>
    internal static string EncodeBody(string action, IEnumerable<KeyValuePair<string, string?>> parameters)
    {
        var sb = new StringBuilder($"Action={action}&Version={ApiVersion}");
        foreach (var (name, value) in parameters)
        {
            if (value is null) continue;
            sb.Append('&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return sb.ToString();
    }

    private async Task<XElement> SendOnceAsync(string action, byte[] body, CancellationToken cancellationToken)
    {
        var signingRequest = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = endpoint, Content = body };
        signingRequest.Headers["Content-Type"] = ContentType;
        var signed = await AWSSigV4Signer.SignAsync(signingRequest,
            new AWSSigV4Parameters { Credentials = credentials, Region = _region, Service = "iam" }, cancellationToken).ConfigureAwait(false);

        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        foreach (var header in signed.Headers) message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        message.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        message.Options.Set(ResponseSizeLimit.Key, ResponseSizeLimit.For(action));

        string text;
        int status;
        try
        {
            using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (ResponseSizeLimit.Find(e) is { } tooLarge)
        {
            throw new IamException("iam:" + action, "ResponseTooLarge", tooLarge.HttpStatus, tooLarge.Message, inner: e);
        }
        if (status >= 300) throw IamErrorParser.Parse("iam:" + action, status, text);

        XElement? root;
        try
        {
            root = XDocument.Parse(text).Root;
        }
        catch (System.Xml.XmlException e)
        {
            throw new IamException("iam:" + action, "MalformedResponse", status, $"the response is not XML: {e.Message}", inner: e);
        }
        if (root is null) throw new IamException("iam:" + action, "MalformedResponse", status, "empty response body");
        // Operations without output return only ResponseMetadata; an empty element keeps callers uniform.
        return root.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result") ?? new XElement(action + "Result");
    }
}
