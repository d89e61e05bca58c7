using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace KeyGuard.Aws;

/// <summary>
/// One signed request to a regional AWS service (CloudTrail, Config, Access Analyzer, S3 Control, EC2), built like
/// <see cref="IamQueryTransport"/>: the SDK's <see cref="AWSSigV4Signer"/> and credential chain, KeyGuard's retry
/// policy, and the shared size-capped HttpClient. <see cref="AwsCall.Permission"/> names the IAM permission the call
/// needs, so a refusal says which one is missing.
/// </summary>
internal sealed class AwsServiceTransport(HttpClient http, AWSCredentials credentials, AwsRetryPolicy retry)
{
    public Task<string> SendAsync(AwsCall call, CancellationToken cancellationToken) =>
        retry.ExecuteAsync(call.Permission, ct => SendOnceAsync(call, ct), cancellationToken);

    private async Task<string> SendOnceAsync(AwsCall call, CancellationToken cancellationToken)
    {
        var signingRequest = new AWSSigningRequest { HttpMethod = call.Method, RequestUri = call.Uri, Content = call.Body ?? [] };
        if (call.ContentType is not null) signingRequest.Headers["Content-Type"] = call.ContentType;
        foreach (var (name, value) in call.Headers) signingRequest.Headers[name] = value;
        var signed = await AWSSigV4Signer.SignAsync(signingRequest, new AWSSigV4Parameters
        {
            Credentials = credentials, Region = RegionEndpoint.GetBySystemName(call.Region), Service = call.SigningService,
        }, cancellationToken).ConfigureAwait(false);

        using var message = new HttpRequestMessage(call.Method, call.Uri);
        if (call.Body is not null)
        {
            message.Content = new ByteArrayContent(call.Body);
            if (call.ContentType is not null) message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(call.ContentType);
        }
        foreach (var (name, value) in call.Headers) message.Headers.TryAddWithoutValidation(name, value);
        foreach (var header in signed.Headers) message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        message.Headers.TryAddWithoutValidation("User-Agent", IamQueryTransport.UserAgent);
        message.Options.Set(ResponseSizeLimit.Key, ResponseSizeLimit.Default);

        string text;
        int status;
        string? errorType;
        try
        {
            using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        }
        catch (Exception e) when (ResponseSizeLimit.Find(e) is { } tooLarge)
        {
            throw new IamException(call.Permission, "ResponseTooLarge", tooLarge.HttpStatus, tooLarge.Message, inner: e);
        }
        if (status >= 300) throw AwsErrorParser.Parse(call.Permission, status, text, errorType);
        return text;
    }
}

/// <summary>A request for <see cref="AwsServiceTransport"/>.</summary>
/// <param name="Permission">"cloudtrail:DescribeTrails": the IAM action, used in errors and retries.</param>
internal sealed record AwsCall(
    string Permission, string SigningService, string Region, HttpMethod Method, Uri Uri,
    byte[]? Body = null, string? ContentType = null, IReadOnlyDictionary<string, string>? ExtraHeaders = null)
{
    public IReadOnlyDictionary<string, string> Headers => ExtraHeaders ?? EmptyHeaders;
    private static readonly Dictionary<string, string> EmptyHeaders = [];

    /// <summary>A JSON 1.1 call (CloudTrail, Config): POST / with X-Amz-Target.</summary>
    public static AwsCall Json11(string permission, string signingService, string region, Uri endpoint, string target, string body) =>
        new(permission, signingService, region, HttpMethod.Post, endpoint, Encoding.UTF8.GetBytes(body), "application/x-amz-json-1.1",
            new Dictionary<string, string> { ["X-Amz-Target"] = target });
}

/// <summary>
/// Error bodies of every protocol KeyGuard speaks: JSON ({"__type":"…#Code","message":…}, or the x-amzn-ErrorType
/// header of REST-JSON) and XML (Query's ErrorResponse, EC2's Response/Errors, S3's bare Error).
/// </summary>
internal static class AwsErrorParser
{
    public static IamException Parse(string permission, int status, string body, string? errorTypeHeader)
    {
        string trimmed = body.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(trimmed);
                var root = doc.RootElement;
                string? code = Str(root, "__type") ?? Str(root, "code") ?? Str(root, "Code");
                string? message = Str(root, "message") ?? Str(root, "Message");
                return new IamException(permission, Normalise(errorTypeHeader ?? code) ?? $"Http{status}", status, message);
            }
            catch (JsonException)
            {
                // fall through
            }
        }
        if (errorTypeHeader is not null)
            return new IamException(permission, Normalise(errorTypeHeader)!, status, body.Length > 200 ? body[..200] : body);
        return IamErrorParser.Parse(permission, status, body);
    }

    /// <summary>"com.amazonaws…#AccessDeniedException" and "AccessDeniedException:http://…" both become "AccessDeniedException".</summary>
    private static string? Normalise(string? code)
    {
        if (string.IsNullOrEmpty(code)) return null;
        int hash = code.LastIndexOf('#');
        if (hash >= 0) code = code[(hash + 1)..];
        int colon = code.IndexOf(':');
        return colon >= 0 ? code[..colon] : code;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
