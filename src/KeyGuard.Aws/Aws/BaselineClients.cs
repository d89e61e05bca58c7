using System.Xml.Linq;

namespace KeyGuard.Aws;

/// <summary>Where a regional service lives: the real endpoint, or one override URL for every service and region (the emulator).</summary>
internal sealed class AwsEndpoints(AwsPartition partition, Uri? overrideUrl)
{
    public Uri? Override { get; } = overrideUrl;

    /// <summary>https://{prefix}.{region}.{dnsSuffix}/ (cloudtrail, config, access-analyzer, ec2).</summary>
    public Uri Regional(string prefix, string region) => Override ?? new Uri($"https://{prefix}.{region}.{partition.DnsSuffix}/");

    /// <summary>S3 Control's account-specific host: https://{account}.s3-control.{region}.{dnsSuffix}/.</summary>
    public Uri S3Control(string accountId, string region) => Override ?? new Uri($"https://{accountId}.s3-control.{region}.{partition.DnsSuffix}/");
}

/// <summary>CloudTrail (JSON 1.1): DescribeTrails and GetTrailStatus.</summary>
internal sealed class CloudTrailClient
{
    private const string TargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";
    private readonly AwsServiceTransport _transport;
    private readonly AwsEndpoints _endpoints;

    internal CloudTrailClient(AwsServiceTransport transport, AwsEndpoints endpoints)
    {
        _transport = transport;
        _endpoints = endpoints;
    }

    /// <summary>The trails of <paramref name="region"/>; with shadow trails, also the multi-region trails homed elsewhere.</summary>
    public async Task<IReadOnlyList<TrailWire>> DescribeTrailsAsync(string region, bool includeShadowTrails, CancellationToken cancellationToken = default)
    {
        const string permission = "cloudtrail:DescribeTrails";
        string body = includeShadowTrails ? """{"includeShadowTrails":true}""" : """{"includeShadowTrails":false}""";
        var text = await _transport.SendAsync(AwsCall.Json11(permission, "cloudtrail", region, _endpoints.Regional("cloudtrail", region),
            TargetPrefix + "DescribeTrails", body), cancellationToken).ConfigureAwait(false);
        return BaselineJson.Read(permission, text, BaselineJsonContext.Default.DescribeTrailsResponse).TrailList ?? [];
    }

    /// <summary>Is the trail logging? Asked in the trail's home region, by ARN.</summary>
    public async Task<bool> GetTrailStatusAsync(string region, string trailArnOrName, CancellationToken cancellationToken = default)
    {
        const string permission = "cloudtrail:GetTrailStatus";
        string body = "{\"Name\":" + System.Text.Json.JsonSerializer.Serialize(trailArnOrName, BaselineStringContext.Default.String) + "}";
        var text = await _transport.SendAsync(AwsCall.Json11(permission, "cloudtrail", region, _endpoints.Regional("cloudtrail", region),
            TargetPrefix + "GetTrailStatus", body), cancellationToken).ConfigureAwait(false);
        return BaselineJson.Read(permission, text, BaselineJsonContext.Default.GetTrailStatusResponse).IsLogging;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class BaselineStringContext : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>AWS Config (JSON 1.1, target prefix StarlingDoveService).</summary>
internal sealed class ConfigServiceClient
{
    private const string TargetPrefix = "StarlingDoveService.";
    private readonly AwsServiceTransport _transport;
    private readonly AwsEndpoints _endpoints;

    internal ConfigServiceClient(AwsServiceTransport transport, AwsEndpoints endpoints)
    {
        _transport = transport;
        _endpoints = endpoints;
    }

    public async Task<IReadOnlyList<ConfigurationRecorderWire>> DescribeConfigurationRecordersAsync(string region, CancellationToken cancellationToken = default) =>
        (await Call(region, "DescribeConfigurationRecorders", BaselineJsonContext.Default.DescribeConfigurationRecordersResponse, cancellationToken)).ConfigurationRecorders ?? [];

    public async Task<IReadOnlyList<ConfigurationRecorderStatusWire>> DescribeConfigurationRecorderStatusAsync(string region, CancellationToken cancellationToken = default) =>
        (await Call(region, "DescribeConfigurationRecorderStatus", BaselineJsonContext.Default.DescribeConfigurationRecorderStatusResponse, cancellationToken)).ConfigurationRecordersStatus ?? [];

    public async Task<IReadOnlyList<DeliveryChannelWire>> DescribeDeliveryChannelsAsync(string region, CancellationToken cancellationToken = default) =>
        (await Call(region, "DescribeDeliveryChannels", BaselineJsonContext.Default.DescribeDeliveryChannelsResponse, cancellationToken)).DeliveryChannels ?? [];

    private async Task<T> Call<T>(string region, string action, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        string permission = "config:" + action;
        var text = await _transport.SendAsync(AwsCall.Json11(permission, "config", region, _endpoints.Regional("config", region),
            TargetPrefix + action, "{}"), cancellationToken).ConfigureAwait(false);
        return BaselineJson.Read(permission, text, type);
    }
}

/// <summary>IAM Access Analyzer (REST-JSON): GET /analyzer, all pages.</summary>
internal sealed class AccessAnalyzerClient
{
    private const int MaxPages = 100;
    private readonly AwsServiceTransport _transport;
    private readonly AwsEndpoints _endpoints;

    internal AccessAnalyzerClient(AwsServiceTransport transport, AwsEndpoints endpoints)
    {
        _transport = transport;
        _endpoints = endpoints;
    }

    public async Task<IReadOnlyList<AnalyzerWire>> ListAnalyzersAsync(string region, CancellationToken cancellationToken = default)
    {
        const string permission = "access-analyzer:ListAnalyzers";
        var all = new List<AnalyzerWire>();
        string? token = null;
        for (int page = 0; page < MaxPages; page++)
        {
            var uri = new Uri(_endpoints.Regional("access-analyzer", region), token is null ? "analyzer" : "analyzer?nextToken=" + Uri.EscapeDataString(token));
            var text = await _transport.SendAsync(new AwsCall(permission, "access-analyzer", region, HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
            var answer = BaselineJson.Read(permission, text, BaselineJsonContext.Default.ListAnalyzersResponse);
            all.AddRange(answer.Analyzers ?? []);
            token = answer.NextToken;
            if (string.IsNullOrEmpty(token)) break;
        }
        return all;
    }
}

/// <summary>The account-level S3 Block Public Access settings; null from the client means none are configured.</summary>
internal sealed record PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets)
{
    public bool AllOn => BlockPublicAcls && IgnorePublicAcls && BlockPublicPolicy && RestrictPublicBuckets;
}

/// <summary>S3 Control (REST-XML): GetPublicAccessBlock for the account, with the x-amz-account-id header.</summary>
internal sealed class S3ControlClient
{
    private readonly AwsServiceTransport _transport;
    private readonly AwsEndpoints _endpoints;

    internal S3ControlClient(AwsServiceTransport transport, AwsEndpoints endpoints)
    {
        _transport = transport;
        _endpoints = endpoints;
    }

    /// <summary>The account's settings, or null when none are set (NoSuchPublicAccessBlockConfiguration, 404).</summary>
    public async Task<PublicAccessBlock?> GetPublicAccessBlockAsync(string accountId, string region, CancellationToken cancellationToken = default)
    {
        // The IAM permission of S3 Control's GetPublicAccessBlock is s3:GetAccountPublicAccessBlock.
        const string permission = "s3:GetAccountPublicAccessBlock";
        var uri = new Uri(_endpoints.S3Control(accountId, region), "v20180820/configuration/publicAccessBlock");
        string text;
        try
        {
            text = await _transport.SendAsync(new AwsCall(permission, "s3", region, HttpMethod.Get, uri,
                ExtraHeaders: new Dictionary<string, string> { ["x-amz-account-id"] = accountId }), cancellationToken).ConfigureAwait(false);
        }
        catch (IamException e) when (e.Code == "NoSuchPublicAccessBlockConfiguration")
        {
            return null;
        }
        XElement root;
        try
        {
            root = XDocument.Parse(text).Root ?? throw new System.Xml.XmlException("empty document");
        }
        catch (System.Xml.XmlException e)
        {
            throw new IamException(permission, "MalformedResponse", 200, $"the response is not XML: {e.Message}", inner: e);
        }
        return new PublicAccessBlock(root.Bool("BlockPublicAcls"), root.Bool("IgnorePublicAcls"), root.Bool("BlockPublicPolicy"), root.Bool("RestrictPublicBuckets"));
    }
}

/// <summary>EC2 (Query protocol, 2016-11-15): DescribeRegions, the regions enabled for the account.</summary>
internal sealed class Ec2Client
{
    private readonly AwsServiceTransport _transport;
    private readonly AwsEndpoints _endpoints;

    internal Ec2Client(AwsServiceTransport transport, AwsEndpoints endpoints)
    {
        _transport = transport;
        _endpoints = endpoints;
    }

    public async Task<IReadOnlyList<string>> DescribeRegionsAsync(string region, CancellationToken cancellationToken = default)
    {
        const string permission = "ec2:DescribeRegions";
        var text = await _transport.SendAsync(new AwsCall(permission, "ec2", region, HttpMethod.Post, _endpoints.Regional("ec2", region),
            "Action=DescribeRegions&Version=2016-11-15"u8.ToArray(), "application/x-www-form-urlencoded; charset=utf-8"), cancellationToken).ConfigureAwait(false);
        XElement root;
        try
        {
            root = XDocument.Parse(text).Root ?? throw new System.Xml.XmlException("empty document");
        }
        catch (System.Xml.XmlException e)
        {
            throw new IamException(permission, "MalformedResponse", 200, $"the response is not XML: {e.Message}", inner: e);
        }
        // EC2 lists are <regionInfo><item>…</item></regionInfo>, with no Result wrapper.
        return root.Child("regionInfo")?.Elements().Where(e => e.Name.LocalName == "item")
            .Select(item => item.Text("regionName")).OfType<string>().Where(name => name.Length > 0).ToList() ?? [];
    }
}

/// <summary>Everything the account baseline reads, from one <see cref="AwsSession"/>.</summary>
internal sealed record BaselineServices(IamClient Iam, CloudTrailClient CloudTrail, ConfigServiceClient Config, AccessAnalyzerClient AccessAnalyzer,
    S3ControlClient S3Control, Ec2Client Ec2, AwsPartition Partition, string HomeRegion);
