using System.Text.Json;
using System.Text.Json.Serialization;

namespace KeyGuard.Aws;

// Wire shapes of the account-baseline services (botocore service-2.json models: cloudtrail 2013-11-01,
// config 2014-11-12, accessanalyzer 2019-11-01). Only the members KeyGuard reads; unknown members are ignored.
// Read with System.Text.Json source generation (BaselineJsonContext): no reflection, NativeAOT-safe.

internal sealed class DescribeTrailsResponse
{
    [JsonPropertyName("trailList")] public List<TrailWire>? TrailList { get; set; }
}

internal sealed class TrailWire
{
    public string? Name { get; set; }
    public string? TrailARN { get; set; }
    public string? HomeRegion { get; set; }
    public bool IsMultiRegionTrail { get; set; }
    public bool IncludeGlobalServiceEvents { get; set; }
    public bool LogFileValidationEnabled { get; set; }
    public string? CloudWatchLogsLogGroupArn { get; set; }
    public string? KmsKeyId { get; set; }
    public string? S3BucketName { get; set; }
    public bool IsOrganizationTrail { get; set; }
}

internal sealed class GetTrailStatusResponse
{
    public bool IsLogging { get; set; }
}

internal sealed class DescribeConfigurationRecordersResponse
{
    public List<ConfigurationRecorderWire>? ConfigurationRecorders { get; set; }
}

internal sealed class ConfigurationRecorderWire
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("recordingGroup")] public RecordingGroupWire? RecordingGroup { get; set; }
}

internal sealed class RecordingGroupWire
{
    [JsonPropertyName("allSupported")] public bool AllSupported { get; set; }
    [JsonPropertyName("includeGlobalResourceTypes")] public bool IncludeGlobalResourceTypes { get; set; }
}

internal sealed class DescribeConfigurationRecorderStatusResponse
{
    public List<ConfigurationRecorderStatusWire>? ConfigurationRecordersStatus { get; set; }
}

internal sealed class ConfigurationRecorderStatusWire
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("recording")] public bool Recording { get; set; }
    [JsonPropertyName("lastStatus")] public string? LastStatus { get; set; }
}

internal sealed class DescribeDeliveryChannelsResponse
{
    public List<DeliveryChannelWire>? DeliveryChannels { get; set; }
}

internal sealed class DeliveryChannelWire
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("s3BucketName")] public string? S3BucketName { get; set; }
}

internal sealed class ListAnalyzersResponse
{
    [JsonPropertyName("analyzers")] public List<AnalyzerWire>? Analyzers { get; set; }
    [JsonPropertyName("nextToken")] public string? NextToken { get; set; }
}

internal sealed class AnalyzerWire
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("arn")] public string? Arn { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("status")] public string? Status { get; set; }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(DescribeTrailsResponse))]
[JsonSerializable(typeof(GetTrailStatusResponse))]
[JsonSerializable(typeof(DescribeConfigurationRecordersResponse))]
[JsonSerializable(typeof(DescribeConfigurationRecorderStatusResponse))]
[JsonSerializable(typeof(DescribeDeliveryChannelsResponse))]
[JsonSerializable(typeof(ListAnalyzersResponse))]
internal sealed partial class BaselineJsonContext : JsonSerializerContext;

internal static class BaselineJson
{
    /// <summary>Parses an answer; a body that is not the documented JSON is a MalformedResponse naming the call.</summary>
    public static T Read<T>(string permission, string text, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(text, type) ?? throw new IamException(permission, "MalformedResponse", 200, "empty JSON answer");
        }
        catch (JsonException e)
        {
            throw new IamException(permission, "MalformedResponse", 200, $"the response is not the expected JSON: {e.Message}", inner: e);
        }
    }
}
