namespace KeyGuard.Aws;

/// <summary>
/// An AWS partition: where its global IAM endpoint lives and which region IAM requests are signed for
/// (aws-iam.md §1). IAM is global per partition, so the signing region never follows the user's region.
/// </summary>
internal sealed record AwsPartition(string Name, Uri IamEndpoint, string SigningRegion, string DnsSuffix)
{
    public static readonly AwsPartition Aws = new("aws", new Uri("https://iam.amazonaws.com/"), "us-east-1", "amazonaws.com");
    public static readonly AwsPartition China = new("aws-cn", new Uri("https://iam.cn-north-1.amazonaws.com.cn/"), "cn-north-1", "amazonaws.com.cn");
    public static readonly AwsPartition GovCloud = new("aws-us-gov", new Uri("https://iam.us-gov.amazonaws.com/"), "us-gov-west-1", "amazonaws.com");

    public static IReadOnlyList<AwsPartition> All { get; } = [Aws, China, GovCloud];

    /// <summary>The partition a region belongs to; null or an unknown prefix means the commercial partition.</summary>
    public static AwsPartition ForRegion(string? region)
    {
        if (string.IsNullOrEmpty(region)) return Aws;
        if (region.StartsWith("cn-", StringComparison.Ordinal)) return China;
        if (region.StartsWith("us-gov-", StringComparison.Ordinal)) return GovCloud;
        return Aws;
    }

    /// <summary>Looks a partition up by its name (aws, aws-cn, aws-us-gov).</summary>
    public static AwsPartition FromName(string name) =>
        All.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown AWS partition '{name}' (expected aws, aws-cn or aws-us-gov)", nameof(name));

    /// <summary>
    /// The STS endpoint: regional when a region is given (sts.{region}.{suffix}), otherwise the partition's
    /// default (the global sts.amazonaws.com for aws, the signing region's endpoint elsewhere).
    /// </summary>
    public Uri StsEndpoint(string? region)
    {
        if (!string.IsNullOrEmpty(region)) return new Uri($"https://sts.{region}.{DnsSuffix}/");
        return this == Aws ? new Uri("https://sts.amazonaws.com/") : new Uri($"https://sts.{SigningRegion}.{DnsSuffix}/");
    }
}
