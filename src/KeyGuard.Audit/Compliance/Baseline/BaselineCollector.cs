using System.Collections.Concurrent;
using System.Text.Json;
using KeyGuard.Aws;

namespace KeyGuard.Compliance.Baseline;

/// <summary>How the baseline is read.</summary>
internal sealed record BaselineOptions
{
    /// <summary>Regions read at the same time (each region makes 5 calls in turn).</summary>
    public int MaxParallelRegions { get; init; } = 6;
    /// <summary>Users whose policies are listed at the same time.</summary>
    public int MaxParallelUsers { get; init; } = 4;
    /// <summary>Read only the regions and their CloudTrail trails (what a leak plan needs); the other facts are left
    /// unread (null, no gaps), so neither their calls nor their permissions are needed.</summary>
    public bool CloudTrailOnly { get; init; }
}

/// <summary>
/// Reads the account baseline: enabled regions, then every region in parallel (bounded) for CloudTrail, Config and
/// Access Analyzer, alongside the account-wide S3 Block Public Access and IAM reads. A call that fails (AccessDenied,
/// throttling after retries, a timeout) becomes a <see cref="BaselineGap"/>; the rest is still read.
/// </summary>
internal sealed class BaselineCollector(BaselineServices services, BaselineOptions? options = null)
{
    public const string SupportPolicyName = "AWSSupportAccess";
    private readonly BaselineOptions _options = options ?? new BaselineOptions();

    /// <summary>Regions enabled by default in each partition: used when ec2:DescribeRegions cannot be called.</summary>
    public static IReadOnlyList<string> DefaultRegions(AwsPartition partition) => partition.Name switch
    {
        "aws-cn" => ["cn-north-1", "cn-northwest-1"],
        "aws-us-gov" => ["us-gov-west-1", "us-gov-east-1"],
        _ =>
        [
            "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
            "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
            "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
        ],
    };

    /// <param name="accountArn">The account's root ARN (arn:aws:iam::123456789012:root), from the credential report.</param>
    public async Task<AccountBaseline> CollectAsync(string accountArn, CancellationToken cancellationToken = default)
    {
        string accountId = accountArn.Split(':') is { Length: >= 5 } parts ? parts[4] : "";

        IReadOnlyList<string> regions;
        BaselineGap? regionsGap = null;
        try
        {
            regions = await services.Ec2.DescribeRegionsAsync(services.HomeRegion, cancellationToken);
            if (regions.Count == 0) regions = DefaultRegions(services.Partition);
        }
        catch (IamException e)
        {
            regionsGap = Gap(e, null);
            regions = DefaultRegions(services.Partition);
        }
        regions = regions.Order(StringComparer.Ordinal).ToList();

        bool everything = !_options.CloudTrailOnly;
        var publicAccessBlock = everything ? ReadAsync(() => services.S3Control.GetPublicAccessBlockAsync(accountId, services.HomeRegion, cancellationToken), allowNull: true) : NotRead<PublicAccessBlock>();
        var userPolicies = everything ? ReadAsync<IReadOnlyList<UserPolicies>>(async () => await UserPoliciesAsync(cancellationToken)) : NotRead<IReadOnlyList<UserPolicies>>();
        var adminPolicies = everything ? ReadAsync<IReadOnlyList<AdminPolicy>>(async () => await AdminPoliciesAsync(cancellationToken)) : NotRead<IReadOnlyList<AdminPolicy>>();
        var supportRoles = everything ? ReadAsync<IReadOnlyList<string>>(async () => await SupportRolesAsync(accountArn, cancellationToken)) : NotRead<IReadOnlyList<string>>();
        var certificates = everything
            ? ReadAsync(async () => (IReadOnlyList<CertificateFacts>)(await services.Iam.ListAllServerCertificatesAsync(cancellationToken))
                .Select(c => new CertificateFacts(c.Name, c.Arn, c.Expiration)).ToList())
            : NotRead<IReadOnlyList<CertificateFacts>>();

        var trails = new ConcurrentDictionary<string, TrailWire>(StringComparer.Ordinal);
        var trailGaps = new ConcurrentBag<BaselineGap>();
        var config = new ConcurrentDictionary<string, ConfigRegionFacts>(StringComparer.Ordinal);
        var configGaps = new ConcurrentBag<BaselineGap>();
        var analyzers = new ConcurrentDictionary<string, IReadOnlyList<AnalyzerFacts>>(StringComparer.Ordinal);
        var analyzerGaps = new ConcurrentBag<BaselineGap>();

        await Parallel.ForEachAsync(regions, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelRegions, CancellationToken = cancellationToken },
            async (region, ct) =>
            {
                try
                {
                    foreach (var trail in await services.CloudTrail.DescribeTrailsAsync(region, includeShadowTrails: false, ct))
                        trails.TryAdd(trail.TrailARN ?? $"{region}/{trail.Name}", trail);
                }
                catch (IamException e) { trailGaps.Add(Gap(e, region)); }
                if (!everything) return;

                try
                {
                    var recorders = await services.Config.DescribeConfigurationRecordersAsync(region, ct);
                    var statuses = recorders.Count == 0 ? [] : await services.Config.DescribeConfigurationRecorderStatusAsync(region, ct);
                    var channels = await services.Config.DescribeDeliveryChannelsAsync(region, ct);
                    config[region] = new ConfigRegionFacts(
                        recorders.Select(r =>
                        {
                            var status = statuses.FirstOrDefault(s => s.Name == r.Name);
                            return new RecorderFacts(r.Name ?? "default", r.RecordingGroup?.AllSupported ?? false,
                                r.RecordingGroup?.IncludeGlobalResourceTypes ?? false, status?.Recording ?? false, status?.LastStatus);
                        }).ToList(),
                        channels.Select(c => c.Name ?? "default").ToList());
                }
                catch (IamException e) { configGaps.Add(Gap(e, region)); }

                try
                {
                    analyzers[region] = (await services.AccessAnalyzer.ListAnalyzersAsync(region, ct))
                        .Select(a => new AnalyzerFacts(a.Name ?? "", a.Type ?? "", a.Status ?? "")).ToList();
                }
                catch (IamException e) { analyzerGaps.Add(Gap(e, region)); }
            });

        // GetTrailStatus in each trail's home region, also bounded.
        var trailFacts = new ConcurrentBag<TrailFacts>();
        await Parallel.ForEachAsync(trails.Values, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelRegions, CancellationToken = cancellationToken },
            async (trail, ct) =>
            {
                string home = trail.HomeRegion ?? services.HomeRegion;
                bool? logging = null;
                try { logging = await services.CloudTrail.GetTrailStatusAsync(home, trail.TrailARN ?? trail.Name ?? "", ct); }
                catch (IamException e) { trailGaps.Add(Gap(e, home)); }
                trailFacts.Add(new TrailFacts(trail.Name ?? "", trail.TrailARN ?? "", home, trail.IsMultiRegionTrail, logging,
                    trail.LogFileValidationEnabled, NullIfEmpty(trail.CloudWatchLogsLogGroupArn), NullIfEmpty(trail.KmsKeyId)));
            });

        return new AccountBaseline
        {
            AccountId = accountId,
            AccountArn = accountArn,
            Regions = regions,
            RegionsGap = regionsGap,
            Trails = trailFacts.OrderBy(t => t.Name, StringComparer.Ordinal).ToList(),
            TrailGaps = Sorted(trailGaps),
            Config = config,
            ConfigGaps = Sorted(configGaps),
            Analyzers = analyzers,
            AnalyzerGaps = Sorted(analyzerGaps),
            PublicAccessBlock = await publicAccessBlock,
            UserPolicies = await userPolicies,
            AdminPolicies = await adminPolicies,
            SupportRoles = await supportRoles,
            ServerCertificates = await certificates,
        };
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static Task<Read<T>> NotRead<T>() where T : class => Task.FromResult(new Read<T>(null, []));

    private static IReadOnlyList<BaselineGap> Sorted(IEnumerable<BaselineGap> gaps) =>
        gaps.OrderBy(g => g.Permission, StringComparer.Ordinal).ThenBy(g => g.Region, StringComparer.Ordinal).ToList();

    private static BaselineGap Gap(IamException e, string? region) => new(e.Action, e.Code, e.ServerMessage ?? e.Message, region);

    private static async Task<Read<T>> ReadAsync<T>(Func<Task<T?>> read, bool allowNull = false) where T : class
    {
        try
        {
            var value = await read();
            return new Read<T>(value, []);
        }
        catch (IamException e)
        {
            return Read<T>.Missing(Gap(e, null));
        }
    }

    private async Task<IReadOnlyList<UserPolicies>> UserPoliciesAsync(CancellationToken cancellationToken)
    {
        var users = await services.Iam.ListAllUsersAsync(cancellationToken: cancellationToken);
        var found = new ConcurrentBag<UserPolicies>();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelUsers, CancellationToken = cancellationToken },
            async (user, ct) =>
            {
                var attached = await services.Iam.ListAllAttachedUserPoliciesAsync(user.UserName, ct);
                var inline = await services.Iam.ListAllUserPoliciesAsync(user.UserName, ct);
                found.Add(new UserPolicies(user.UserName, user.Arn, attached.Select(p => p.PolicyName).ToList(), inline));
            });
        return found.OrderBy(u => u.UserName, StringComparer.Ordinal).ToList();
    }

    /// <summary>Attached managed policies (AWS's and the account's) whose default version allows "*" on "*".</summary>
    private async Task<IReadOnlyList<AdminPolicy>> AdminPoliciesAsync(CancellationToken cancellationToken)
    {
        var policies = await services.Iam.ListAllPoliciesAsync(onlyAttached: true, cancellationToken: cancellationToken);
        var admin = new ConcurrentBag<AdminPolicy>();
        await Parallel.ForEachAsync(policies, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelUsers, CancellationToken = cancellationToken },
            async (policy, ct) =>
            {
                var document = await services.Iam.GetPolicyVersionDocumentAsync(policy.Arn, policy.DefaultVersionId, ct);
                if (PolicyDocument.AllowsFullAdmin(document)) admin.Add(new AdminPolicy(policy.PolicyName, policy.Arn, policy.AttachmentCount));
            });
        return admin.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    private async Task<IReadOnlyList<string>> SupportRolesAsync(string accountArn, CancellationToken cancellationToken)
    {
        string partition = accountArn.Split(':') is { Length: >= 2 } parts && parts[1].Length > 0 ? parts[1] : services.Partition.Name;
        var entities = await services.Iam.ListEntitiesForPolicyAsync($"arn:{partition}:iam::aws:policy/{SupportPolicyName}", cancellationToken);
        return entities.Roles;
    }
}

/// <summary>Reads IAM policy documents.</summary>
internal static class PolicyDocument
{
    /// <summary>
    /// Does a statement Allow Action "*" on Resource "*" (CIS 1.16)? Action and Resource may be a string or a list.
    /// A document that is not JSON allows nothing KeyGuard can see.
    /// </summary>
    public static bool AllowsFullAdmin(string document)
    {
        try
        {
            using var doc = JsonDocument.Parse(document);
            if (!doc.RootElement.TryGetProperty("Statement", out var statements)) return false;
            var list = statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToList() : [statements];
            return list.Any(s => s.ValueKind == JsonValueKind.Object
                && s.TryGetProperty("Effect", out var effect) && effect.ValueKind == JsonValueKind.String && effect.GetString() == "Allow"
                && HasStar(s, "Action") && HasStar(s, "Resource"));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool HasStar(JsonElement statement, string name)
    {
        if (!statement.TryGetProperty(name, out var value)) return false;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is "*" or "*:*",
            JsonValueKind.Array => value.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.String && v.GetString() is "*" or "*:*"),
            _ => false,
        };
    }
}
