using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace KeyGuard.Aws;

/// <summary>
/// STS through the SDK's AmazonSecurityTokenServiceClient: who am I (GetCallerIdentity) and which account owns a
/// key ID (GetAccessKeyInfo). The SDK's own retries are off; <see cref="AwsRetryPolicy"/> retries instead, so IAM and
/// STS behave alike. SDK errors become <see cref="IamException"/>.
/// </summary>
internal sealed class StsGateway : IDisposable
{
    private readonly AmazonSecurityTokenServiceClient _client;
    private readonly AwsRetryPolicy _retry;

    public StsGateway(AWSCredentials credentials, Uri endpoint, string signingRegion, AwsRetryPolicy retry)
    {
        _retry = retry;
        var config = new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = endpoint.ToString(),
            AuthenticationRegion = signingRegion,
            MaxErrorRetry = 0,
            Timeout = retry.RequestTimeout,
            // The SDK keeps its own User-Agent and appends "app/<id>": KeyGuard is still identifiable in CloudTrail.
            ClientAppId = IamQueryTransport.UserAgent.Replace('/', '-'),
            HttpClientFactory = new SizeLimitedHttpClientFactory(),
        };
        _client = new AmazonSecurityTokenServiceClient(credentials, config);
    }

    public Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken = default) =>
        Call("sts:GetCallerIdentity", async ct =>
        {
            var r = await _client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct).ConfigureAwait(false);
            // A 200 without the identity (a proxy's page, a stub) must not pass for "nobody".
            if (string.IsNullOrEmpty(r.Account) || string.IsNullOrEmpty(r.Arn))
                throw new IamException("sts:GetCallerIdentity", "MalformedResponse", (int)r.HttpStatusCode, "the response has no <Account> or <Arn>");
            return new CallerIdentity(r.Account, r.Arn, r.UserId);
        }, cancellationToken);

    /// <summary>The 12-digit account that owns <paramref name="accessKeyId"/>; signed with the caller's credentials.</summary>
    public Task<string> GetAccessKeyInfoAsync(string accessKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        return Call("sts:GetAccessKeyInfo", async ct =>
        {
            var r = await _client.GetAccessKeyInfoAsync(new GetAccessKeyInfoRequest { AccessKeyId = accessKeyId }, ct).ConfigureAwait(false);
            if (string.IsNullOrEmpty(r.Account))
                throw new IamException("sts:GetAccessKeyInfo", "MalformedResponse", (int)r.HttpStatusCode, "the response has no <Account>");
            return r.Account;
        }, cancellationToken);
    }

    private Task<T> Call<T>(string action, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(action, async ct =>
        {
            try
            {
                return await call(ct).ConfigureAwait(false);
            }
            // Checked first: the SDK may wrap it in one of its own exceptions.
            catch (Exception e) when (ResponseSizeLimit.Find(e) is { } tooLarge)
            {
                throw new IamException(action, "ResponseTooLarge", tooLarge.HttpStatus, tooLarge.Message, inner: e);
            }
            // An empty or truncated 200 (a proxy, a stub): the SDK's unmarshaller lets XmlException escape, or wraps
            // it with the 200 status. Either way the call failed; it must not crash the command (reliability B13).
            catch (System.Xml.XmlException e)
            {
                throw new IamException(action, "MalformedResponse", 200, $"the response is not XML: {e.Message}", inner: e);
            }
            catch (AmazonServiceException e) when ((int)e.StatusCode is >= 200 and < 300)
            {
                throw new IamException(action, "MalformedResponse", (int)e.StatusCode, $"the response could not be read: {OneLine((e.InnerException ?? e).Message)}", e.RequestId, e);
            }
            catch (AmazonServiceException e) when (e.StatusCode != 0)
            {
                throw new IamException(action, e.ErrorCode ?? $"Http{(int)e.StatusCode}", (int)e.StatusCode, e.Message, e.RequestId, e);
            }
            catch (AmazonClientException e) when (!ct.IsCancellationRequested)
            {
                throw new IamException(action, "NetworkError", 0, e.Message, inner: e);
            }
        }, cancellationToken);

    private static string OneLine(string s) => s.Split('\n', 2)[0].Trim();

    public void Dispose() => _client.Dispose();
}
