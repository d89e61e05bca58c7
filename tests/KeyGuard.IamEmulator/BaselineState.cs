using KeyGuard.Aws;

namespace KeyGuard.IamEmulator;

/// <summary>A CloudTrail trail, homed in one region.</summary>
internal sealed class EmulatedTrail(string name, string homeRegion)
{
    public string Name { get; } = name;
    public string HomeRegion { get; } = homeRegion;
    public bool IsMultiRegion { get; set; }
    public bool IsLogging { get; set; } = true;
    public bool LogFileValidation { get; set; }
    public string? CloudWatchLogsLogGroupArn { get; set; }
    public string? KmsKeyId { get; set; }
    public string Arn(string accountId) => $"arn:aws:cloudtrail:{HomeRegion}:{accountId}:trail/{Name}";
}

/// <summary>AWS Config in one region: at most one recorder (as in AWS), and its delivery channel.</summary>
internal sealed class EmulatedConfigRegion
{
    public string? RecorderName { get; set; } = "default";
    public bool AllSupported { get; set; } = true;
    public bool IncludeGlobalResourceTypes { get; set; } = true;
    public bool Recording { get; set; } = true;
    public string LastStatus { get; set; } = "SUCCESS";
    public string? DeliveryChannel { get; set; } = "default";
}

internal sealed record EmulatedAnalyzer(string Name, string Type, string Status);

/// <summary>A managed policy and who it is attached to (users attach through <see cref="EmulatedUser.AttachPolicy"/>).</summary>
internal sealed class EmulatedManagedPolicy(string name, string arn, string document)
{
    public string Name { get; } = name;
    public string Arn { get; } = arn;
    public string Document { get; set; } = document;
    public List<string> Roles { get; } = [];
    public List<string> Groups { get; } = [];
}

/// <summary>
/// The account settings the baseline controls judge: regions, trails, Config, Access Analyzer, S3 Block Public Access,
/// managed policies and server certificates. Tests change these to turn each control from pass to fail.
/// </summary>
internal sealed class EmulatedBaseline
{
    public const string AdminDocument = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";
    public const string ReadOnlyDocument = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}""";

    public List<string> EnabledRegions { get; } = ["us-east-1"];
    public List<EmulatedTrail> Trails { get; } = [];
    /// <summary>Config per region; a region missing here has no recorder and no channel.</summary>
    public Dictionary<string, EmulatedConfigRegion> Config { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<EmulatedAnalyzer>> Analyzers { get; } = new(StringComparer.Ordinal);
    /// <summary>Null: GetPublicAccessBlock answers NoSuchPublicAccessBlockConfiguration (404).</summary>
    public PublicAccessBlock? PublicAccessBlock { get; set; }
    public List<EmulatedManagedPolicy> Policies { get; } = [];
    public List<(string Name, DateTimeOffset Expiration)> ServerCertificates { get; } = [];

    /// <summary>A fully passing baseline in <paramref name="regions"/> (tests start here and break one thing).</summary>
    public void MakeCompliant(string accountId, params string[] regions)
    {
        EnabledRegions.Clear();
        EnabledRegions.AddRange(regions);
        Trails.Clear();
        Trails.Add(new EmulatedTrail("management-events", regions[0])
        {
            IsMultiRegion = true, IsLogging = true, LogFileValidation = true,
            CloudWatchLogsLogGroupArn = $"arn:aws:logs:{regions[0]}:{accountId}:log-group:cloudtrail:*",
            KmsKeyId = $"arn:aws:kms:{regions[0]}:{accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        });
        Config.Clear();
        Analyzers.Clear();
        foreach (var region in regions)
        {
            Config[region] = new EmulatedConfigRegion();
            Analyzers[region] = [new EmulatedAnalyzer("account-analyzer", "ACCOUNT", "ACTIVE")];
        }
        PublicAccessBlock = new PublicAccessBlock(true, true, true, true);
        Policies.Clear();
        var support = new EmulatedManagedPolicy("AWSSupportAccess", "arn:aws:iam::aws:policy/AWSSupportAccess", ReadOnlyDocument);
        support.Roles.Add("aws-support");
        Policies.Add(support);
        ServerCertificates.Clear();
    }
}
