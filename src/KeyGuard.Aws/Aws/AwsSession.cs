using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;

namespace KeyGuard.Aws;

/// <summary>What an AWS-using command needs to know: whose credentials, which partition, which endpoints.</summary>
internal sealed class AwsSessionOptions
{
    /// <summary>A named profile from ~/.aws/config or credentials (SSO and assume-role profiles included).</summary>
    public string? Profile { get; init; }
    /// <summary>Chooses the partition (cn-*, us-gov-*) and the regional STS endpoint. IAM stays global.</summary>
    public string? Region { get; init; }
    /// <summary>Overrides the IAM endpoint (e.g. the emulator). The signing region stays the partition's.</summary>
    public Uri? EndpointUrl { get; init; }
    /// <summary>Overrides the STS endpoint; defaults to <see cref="EndpointUrl"/> when that is set.</summary>
    public Uri? StsEndpointUrl { get; init; }
    /// <summary>Explicit credentials; when null the SDK's default chain (env, profiles, SSO, IMDS) is used.</summary>
    public AWSCredentials? Credentials { get; init; }
    public AwsRetryPolicy Retry { get; init; } = AwsRetryPolicy.Default;
}

/// <summary>
/// Resolved AWS settings plus one shared HttpClient; creates the IAM and STS clients. Dispose when done.
/// </summary>
internal sealed class AwsSession : IDisposable
{
    private readonly HttpClient _http;

    private AwsSession(AWSCredentials credentials, AwsPartition partition, Uri iamEndpoint, Uri stsEndpoint, string stsSigningRegion, AwsRetryPolicy retry)
    {
        Credentials = credentials;
        Partition = partition;
        IamEndpoint = iamEndpoint;
        StsEndpoint = stsEndpoint;
        StsSigningRegion = stsSigningRegion;
        Retry = retry;
        // Per-attempt timeouts come from AwsRetryPolicy; the HttpClient's own timeout would fire unannounced.
        _http = new HttpClient(new ResponseSizeLimitHandler(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }))
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public AWSCredentials Credentials { get; }
    public AwsPartition Partition { get; }
    public Uri IamEndpoint { get; }
    public Uri StsEndpoint { get; }
    public string StsSigningRegion { get; }
    public AwsRetryPolicy Retry { get; }
    /// <summary>Where the regional services (CloudTrail, Config, Access Analyzer, S3 Control, EC2) are reached.</summary>
    public AwsEndpoints Endpoints { get; private init; } = null!;
    /// <summary>The region asked for the list of enabled regions and for account-wide settings (S3 Control).</summary>
    public string HomeRegion { get; private init; } = "us-east-1";

    /// <summary>Resolves credentials and endpoints. Throws <see cref="AwsConfigurationException"/> when no credentials are found.</summary>
    public static AwsSession Create(AwsSessionOptions options)
    {
        var partition = AwsPartition.ForRegion(options.Region);
        var credentials = options.Credentials ?? ResolveCredentials(options.Profile);
        var iamEndpoint = options.EndpointUrl ?? partition.IamEndpoint;
        var stsEndpoint = options.StsEndpointUrl ?? options.EndpointUrl ?? partition.StsEndpoint(options.Region);
        return new AwsSession(credentials, partition, iamEndpoint, stsEndpoint, options.Region ?? partition.SigningRegion, options.Retry)
        {
            Endpoints = new AwsEndpoints(partition, options.EndpointUrl),
            HomeRegion = options.Region ?? partition.SigningRegion,
        };
    }

    private static AWSCredentials ResolveCredentials(string? profile)
    {
        try
        {
            // The client config only carries the profile name to the SDK's default resolver chain.
            var config = new AmazonSecurityTokenServiceConfig();
            if (!string.IsNullOrEmpty(profile)) config.Profile = new Amazon.Profile(profile);
            return DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
        }
        catch (AmazonClientException e)
        {
            string which = string.IsNullOrEmpty(profile) ? "the default credential chain" : $"profile '{profile}'";
            // The SDK lists every provider it tried, over many lines: commands print one line that says what to do.
            throw new AwsConfigurationException(
                $"could not resolve AWS credentials from {which}: no usable credentials in the environment, the shared config and credentials files, SSO, web identity or container credentials; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", e);
        }
    }

    /// <summary>The access key ID requests are signed with (the operator's own key), or null if it cannot be resolved.</summary>
    public string? SigningKeyId()
    {
        try { return Credentials.GetCredentials()?.AccessKey; }
        catch (AmazonClientException) { return null; }
    }

    public IamClient CreateIamClient() =>
        new(new IamQueryTransport(_http, Credentials, IamEndpoint, Partition.SigningRegion, Retry), Retry);

    /// <summary>STS signed with the operator's credentials.</summary>
    public StsGateway CreateSts() => new(Credentials, StsEndpoint, StsSigningRegion, Retry);

    /// <summary>STS signed with other credentials (the opt-in live check of a found key). Same endpoint and retries.</summary>
    public StsGateway CreateStsSignedWith(AWSCredentials credentials) => new(credentials, StsEndpoint, StsSigningRegion, Retry);

    /// <summary>The thin clients of the account-baseline services, sharing this session's HttpClient, credentials and retries.</summary>
    public BaselineServices CreateBaselineServices()
    {
        var transport = new AwsServiceTransport(_http, Credentials, Retry);
        return new BaselineServices(CreateIamClient(), new CloudTrailClient(transport, Endpoints), new ConfigServiceClient(transport, Endpoints),
            new AccessAnalyzerClient(transport, Endpoints), new S3ControlClient(transport, Endpoints), new Ec2Client(transport, Endpoints),
            Partition, HomeRegion);
    }

    public void Dispose() => _http.Dispose();
}
