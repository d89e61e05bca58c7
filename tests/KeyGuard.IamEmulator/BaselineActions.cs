using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace KeyGuard.IamEmulator;

/// <summary>The wire protocol of a baseline service (botocore metadata "protocol").</summary>
internal enum WireProtocol { Json11, RestJson, RestXml, Ec2Query }

/// <summary>One baseline request as the handlers see it: the caller's account, the signed region, the JSON body or query.</summary>
internal sealed class BaselineContext(EmulatedKey caller, string region, JsonNode? body, IReadOnlyDictionary<string, string> query, Func<string, string?> header)
{
    public EmulatedAccount Account => caller.User.Account;
    public EmulatedBaseline Baseline => Account.Baseline;
    public string Region { get; } = region;
    public JsonNode? Body { get; } = body;
    public IReadOnlyDictionary<string, string> Query { get; } = query;
    public string? Header(string name) => header(name);
}

/// <summary>
/// CloudTrail and Config (JSON 1.1, X-Amz-Target), Access Analyzer (REST-JSON, GET /analyzer), S3 Control (REST-XML,
/// GET /v20180820/configuration/publicAccessBlock with x-amz-account-id) and EC2 DescribeRegions (EC2 Query).
/// Each handler returns the response body.
/// </summary>
internal static class BaselineActions
{
    public static readonly IReadOnlySet<string> Services = new HashSet<string>(StringComparer.Ordinal) { "cloudtrail", "config", "access-analyzer", "s3", "ec2" };

    public static WireProtocol Protocol(string service) => service switch
    {
        "cloudtrail" or "config" => WireProtocol.Json11,
        "access-analyzer" => WireProtocol.RestJson,
        "s3" => WireProtocol.RestXml,
        _ => WireProtocol.Ec2Query,
    };

    public static readonly IReadOnlyDictionary<string, Func<BaselineContext, string>> Handlers =
        new Dictionary<string, Func<BaselineContext, string>>(StringComparer.Ordinal)
        {
            ["cloudtrail:DescribeTrails"] = DescribeTrails,
            ["cloudtrail:GetTrailStatus"] = GetTrailStatus,
            ["config:DescribeConfigurationRecorders"] = c => Json(new JsonObject
            {
                ["ConfigurationRecorders"] = Array(Recorder(c) is { RecorderName: { } name } r
                    ? [new JsonObject
                    {
                        ["name"] = name, ["roleARN"] = $"arn:aws:iam::{c.Account.Id}:role/config-recorder",
                        ["recordingGroup"] = new JsonObject { ["allSupported"] = r.AllSupported, ["includeGlobalResourceTypes"] = r.IncludeGlobalResourceTypes },
                    }]
                    : []),
            }),
            ["config:DescribeConfigurationRecorderStatus"] = c => Json(new JsonObject
            {
                ["ConfigurationRecordersStatus"] = Array(Recorder(c) is { RecorderName: { } name } r
                    ? [new JsonObject { ["name"] = name, ["recording"] = r.Recording, ["lastStatus"] = r.LastStatus }]
                    : []),
            }),
            ["config:DescribeDeliveryChannels"] = c => Json(new JsonObject
            {
                ["DeliveryChannels"] = Array(Recorder(c) is { DeliveryChannel: { } channel }
                    ? [new JsonObject { ["name"] = channel, ["s3BucketName"] = $"config-{c.Account.Id}" }]
                    : []),
            }),
            ["access-analyzer:ListAnalyzers"] = c => Json(new JsonObject
            {
                ["analyzers"] = Array(c.Baseline.Analyzers.GetValueOrDefault(c.Region, [])
                    .Where(a => !c.Query.TryGetValue("type", out var type) || type == a.Type)
                    .Select(a => (JsonNode)new JsonObject
                    {
                        ["arn"] = $"arn:aws:access-analyzer:{c.Region}:{c.Account.Id}:analyzer/{a.Name}",
                        ["name"] = a.Name, ["type"] = a.Type, ["status"] = a.Status, ["createdAt"] = "2024-01-01T00:00:00Z",
                    }).ToList()),
            }),
            ["s3:GetPublicAccessBlock"] = GetPublicAccessBlock,
            ["ec2:DescribeRegions"] = c =>
            {
                XNamespace ns = "http://ec2.amazonaws.com/doc/2016-11-15/";
                return new XElement(ns + "DescribeRegionsResponse",
                    new XElement(ns + "requestId", Guid.NewGuid().ToString()),
                    new XElement(ns + "regionInfo", c.Baseline.EnabledRegions.Select(r => new XElement(ns + "item",
                        new XElement(ns + "regionName", r), new XElement(ns + "regionEndpoint", $"ec2.{r}.amazonaws.com"),
                        new XElement(ns + "optInStatus", "opt-in-not-required"))))).ToString(SaveOptions.DisableFormatting);
            },
        };

    private static EmulatedConfigRegion? Recorder(BaselineContext c) => c.Baseline.Config.GetValueOrDefault(c.Region);

    private static JsonArray Array(IEnumerable<JsonNode> items) => new(items.ToArray());

    private static string Json(JsonNode node) => node.ToJsonString();

    private static string DescribeTrails(BaselineContext c)
    {
        bool shadow = c.Body?["includeShadowTrails"]?.GetValue<bool>() ?? true;
        var trails = c.Baseline.Trails.Where(t => t.HomeRegion == c.Region || (shadow && t.IsMultiRegion));
        return Json(new JsonObject
        {
            ["trailList"] = Array(trails.Select(t =>
            {
                var o = new JsonObject
                {
                    ["Name"] = t.Name, ["S3BucketName"] = $"cloudtrail-{c.Account.Id}", ["IncludeGlobalServiceEvents"] = true,
                    ["IsMultiRegionTrail"] = t.IsMultiRegion, ["HomeRegion"] = t.HomeRegion, ["TrailARN"] = t.Arn(c.Account.Id),
                    ["LogFileValidationEnabled"] = t.LogFileValidation, ["HasCustomEventSelectors"] = false, ["IsOrganizationTrail"] = false,
                };
                if (t.CloudWatchLogsLogGroupArn is { } group) o["CloudWatchLogsLogGroupArn"] = group;
                if (t.KmsKeyId is { } key) o["KmsKeyId"] = key;
                return (JsonNode)o;
            })),
        });
    }

    private static string GetTrailStatus(BaselineContext c)
    {
        string name = c.Body?["Name"]?.GetValue<string>() ?? throw new EmulatorError("InvalidTrailNameException", 400, "Trail name or ARN can only contain ...");
        var trail = c.Baseline.Trails.FirstOrDefault(t => t.Name == name || t.Arn(c.Account.Id) == name)
                    ?? throw new EmulatorError("TrailNotFoundException", 400, $"Unknown trail: {name} for the user: {c.Account.Id}");
        return Json(new JsonObject { ["IsLogging"] = trail.IsLogging });
    }

    private static string GetPublicAccessBlock(BaselineContext c)
    {
        string? account = c.Header("x-amz-account-id");
        if (account != c.Account.Id)
            throw new EmulatorError("AccessDenied", 403, $"x-amz-account-id '{account}' is not the caller's account");
        var pab = c.Baseline.PublicAccessBlock
                  ?? throw new EmulatorError("NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found");
        XNamespace ns = "http://awss3control.amazonaws.com/doc/2018-08-20/";
        static string B(bool b) => b ? "true" : "false";
        return new XElement(ns + "PublicAccessBlockConfiguration",
            new XElement(ns + "BlockPublicAcls", B(pab.BlockPublicAcls)), new XElement(ns + "IgnorePublicAcls", B(pab.IgnorePublicAcls)),
            new XElement(ns + "BlockPublicPolicy", B(pab.BlockPublicPolicy)), new XElement(ns + "RestrictPublicBuckets", B(pab.RestrictPublicBuckets)))
            .ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>The error body of each protocol, and the header REST-JSON carries the code in.</summary>
    public static (string Body, string ContentType, string? ErrorTypeHeader) Error(WireProtocol protocol, EmulatorError e) => protocol switch
    {
        WireProtocol.Json11 => (Json(new JsonObject { ["__type"] = e.Code, ["message"] = e.Message }), "application/x-amz-json-1.1", null),
        WireProtocol.RestJson => (Json(new JsonObject { ["message"] = e.Message }), "application/json", e.Code),
        WireProtocol.RestXml => (new XElement("Error", new XElement("Code", e.Code), new XElement("Message", e.Message),
            new XElement("RequestId", Guid.NewGuid().ToString("N"))).ToString(SaveOptions.DisableFormatting), "application/xml", null),
        _ => (new XElement("Response", new XElement("Errors", new XElement("Error", new XElement("Code", e.Code), new XElement("Message", e.Message))),
            new XElement("RequestID", Guid.NewGuid().ToString())).ToString(SaveOptions.DisableFormatting), "text/xml", null),
    };

    /// <summary>The injected faults, as each service spells them.</summary>
    public static EmulatorError Fault(FaultKind kind, WireProtocol protocol, string permission, EmulatedKey caller) => (kind, protocol) switch
    {
        (FaultKind.Throttling, WireProtocol.RestXml) => new EmulatorError("SlowDown", 503, "Please reduce your request rate."),
        (FaultKind.Throttling, WireProtocol.Ec2Query) => new EmulatorError("RequestLimitExceeded", 503, "Request limit exceeded."),
        (FaultKind.Throttling, WireProtocol.RestJson) => new EmulatorError("ThrottlingException", 429, "Rate exceeded"),
        (FaultKind.Throttling, _) => new EmulatorError("ThrottlingException", 400, "Rate exceeded"),
        (FaultKind.AccessDenied, WireProtocol.RestXml) => new EmulatorError("AccessDenied", 403, "Access Denied"),
        (FaultKind.AccessDenied, WireProtocol.Ec2Query) => new EmulatorError("UnauthorizedOperation", 403, "You are not authorized to perform this operation."),
        (FaultKind.AccessDenied, _) => new EmulatorError("AccessDeniedException", protocol == WireProtocol.RestJson ? 403 : 400,
            $"User: {caller.User.Arn} is not authorized to perform: {permission} because no identity-based policy allows the {permission} action"),
        _ => new EmulatorError("InternalFailure", 500, "The request processing has failed because of an unknown error, exception or failure."),
    };

    /// <summary>The action a request names: X-Amz-Target's last part, the REST path, or EC2's Action parameter.</summary>
    public static string? Action(WireProtocol protocol, string method, string path, string? target, IReadOnlyDictionary<string, string> form) => protocol switch
    {
        WireProtocol.Json11 => target is null ? null : target[(target.LastIndexOf('.') + 1)..],
        WireProtocol.RestJson => method == "GET" && path == "/analyzer" ? "ListAnalyzers" : null,
        WireProtocol.RestXml => method == "GET" && path == "/v20180820/configuration/publicAccessBlock" ? "GetPublicAccessBlock" : null,
        _ => form.GetValueOrDefault("Action"),
    };

    public static JsonNode? ParseBody(byte[] body)
    {
        if (body.Length == 0) return null;
        try { return JsonNode.Parse(body); }
        catch (JsonException) { throw new EmulatorError("SerializationException", 400, "body is not JSON"); }
    }
}
