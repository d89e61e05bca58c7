namespace KeyGuard.Compliance.Baseline;

/// <summary>
/// A call the baseline could not make (AccessDenied, throttling that outlasted the retries, a region that timed out):
/// the controls that needed it are "not evaluated", naming <see cref="Permission"/>, never a failed run.
/// </summary>
/// <param name="Permission">The IAM action, e.g. "config:DescribeConfigurationRecorders".</param>
/// <param name="Region">The region the call was for; null for global calls.</param>
internal sealed record BaselineGap(string Permission, string Code, string Message, string? Region = null)
{
    public string Describe() => Code switch
    {
        "AccessDenied" or "AccessDeniedException" or "UnauthorizedOperation" or "AuthorizationError" =>
            $"{Permission} was denied ({Code}): grant {Permission}",
        "RequestTimeout" => $"{Permission} timed out",
        "Throttling" or "ThrottlingException" or "RequestLimitExceeded" or "TooManyRequestsException" or "SlowDown" =>
            $"{Permission} was throttled ({Code}) after retries",
        _ => $"{Permission} failed ({Code})",
    };
}

/// <summary>A CloudTrail trail as the baseline judges it. <see cref="IsLogging"/> is null when GetTrailStatus failed.</summary>
internal sealed record TrailFacts(string Name, string Arn, string HomeRegion, bool IsMultiRegion, bool? IsLogging, bool LogFileValidation,
    string? CloudWatchLogsLogGroupArn, string? KmsKeyId);

/// <summary>A Config recorder with its status (null when the recorder has no status entry).</summary>
internal sealed record RecorderFacts(string Name, bool AllSupported, bool IncludeGlobalResourceTypes, bool Recording, string? LastStatus);

/// <summary>AWS Config in one region.</summary>
internal sealed record ConfigRegionFacts(IReadOnlyList<RecorderFacts> Recorders, IReadOnlyList<string> DeliveryChannels);

/// <summary>An Access Analyzer analyzer.</summary>
internal sealed record AnalyzerFacts(string Name, string Type, string Status);

/// <summary>A user with policies of its own (attached managed or inline) rather than through a group.</summary>
internal sealed record UserPolicies(string UserName, string Arn, IReadOnlyList<string> Attached, IReadOnlyList<string> Inline);

/// <summary>An attached managed policy that allows "*" on "*".</summary>
internal sealed record AdminPolicy(string Name, string Arn, int AttachmentCount);

/// <summary>A server certificate stored in IAM.</summary>
internal sealed record CertificateFacts(string Name, string Arn, DateTimeOffset? Expiration);

/// <summary>A value read from AWS, or the gaps that kept it from being read.</summary>
internal sealed record Read<T>(T? Value, IReadOnlyList<BaselineGap> Gaps) where T : class
{
    public static Read<T> Of(T value) => new(value, []);
    public static Read<T> Missing(BaselineGap gap) => new(null, [gap]);
}

/// <summary>
/// Everything the account-baseline controls look at, read live. Regional facts are keyed by region; a region whose
/// call failed is absent from the dictionary and present in the gaps.
/// </summary>
internal sealed record AccountBaseline
{
    public required string AccountId { get; init; }
    public required string AccountArn { get; init; }
    /// <summary>The enabled regions (ec2:DescribeRegions), or KeyGuard's built-in list when that call failed.</summary>
    public required IReadOnlyList<string> Regions { get; init; }
    public BaselineGap? RegionsGap { get; init; }

    public required IReadOnlyList<TrailFacts> Trails { get; init; }
    public required IReadOnlyList<BaselineGap> TrailGaps { get; init; }

    public required IReadOnlyDictionary<string, ConfigRegionFacts> Config { get; init; }
    public required IReadOnlyList<BaselineGap> ConfigGaps { get; init; }

    public required IReadOnlyDictionary<string, IReadOnlyList<AnalyzerFacts>> Analyzers { get; init; }
    public required IReadOnlyList<BaselineGap> AnalyzerGaps { get; init; }

    /// <summary>The account's S3 Block Public Access; Value null with no gaps means "none configured".</summary>
    public required Read<Aws.PublicAccessBlock> PublicAccessBlock { get; init; }
    public bool PublicAccessBlockConfigured => PublicAccessBlock.Value is not null;

    public required Read<IReadOnlyList<UserPolicies>> UserPolicies { get; init; }
    public required Read<IReadOnlyList<AdminPolicy>> AdminPolicies { get; init; }
    /// <summary>Roles with AWSSupportAccess attached.</summary>
    public required Read<IReadOnlyList<string>> SupportRoles { get; init; }
    public required Read<IReadOnlyList<CertificateFacts>> ServerCertificates { get; init; }

    /// <summary>
    /// Enabled regions where no logging trail records management events (no logging multi-region trail, none homed
    /// there); empty when a logging multi-region trail exists. Regions whose trails could not be read are not listed.
    /// </summary>
    public IReadOnlyList<string> RegionsWithoutCloudTrail
    {
        get
        {
            if (Trails.Any(t => t.IsMultiRegion && t.IsLogging == true)) return [];
            var gapRegions = TrailGaps.Select(g => g.Region).ToHashSet();
            if (gapRegions.Contains(null)) return [];
            return Regions.Where(r => !gapRegions.Contains(r) && !Trails.Any(t => t.HomeRegion == r && t.IsLogging == true)).ToList();
        }
    }
}
