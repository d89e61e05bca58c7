namespace KeyGuard.Compliance.Baseline;

/// <summary>
/// Judges an <see cref="AccountBaseline"/>. Regional controls give one failure per failing region and one pass listing
/// the passing regions; calls that could not be made give one "not evaluated" result per control and failing
/// permission (all the regions it failed in, named together), never a failure.
/// </summary>
internal static class BaselineJudge
{
    private const string Account = CisContext.AccountSubject;

    public static IReadOnlyList<ComplianceResult> Judge(AccountBaseline b, DateTimeOffset now)
    {
        var results = new List<ComplianceResult>();
        results.AddRange(CloudTrail(b));
        results.AddRange(Config(b));
        results.AddRange(AccessAnalyzer(b));
        results.AddRange(PublicAccessBlock(b));
        results.AddRange(UserPolicies(b));
        results.AddRange(AdminPolicies(b));
        results.AddRange(SupportRole(b));
        results.AddRange(Certificates(b, now));
        return results;
    }

    private static string Regions(IEnumerable<string?> regions) => string.Join(", ", regions.OfType<string>().Distinct().Order(StringComparer.Ordinal));

    private static string RegionNote(AccountBaseline b) => b.RegionsGap is { } gap
        ? $" (regions from KeyGuard's default list: {gap.Describe()})" : "";

    /// <summary>One not-evaluated result per failing permission and code, naming every region it failed in.</summary>
    private static IEnumerable<ComplianceResult> NotEvaluated(AccountBaseline b, CisControl control, IEnumerable<BaselineGap> gaps) =>
        gaps.GroupBy(g => (g.Permission, g.Code)).Select(group =>
        {
            var regions = Regions(group.Select(g => g.Region));
            var where = regions.Length > 0 ? $" in {regions}" : "";
            return new ComplianceResult(Account, b.AccountArn, control, ComplianceStatus.NotEvaluated,
                $"not evaluated{where}: {group.First().Describe()}");
        });

    private static ComplianceResult R(AccountBaseline b, CisControl control, ComplianceStatus status, string evidence, string? subject = null, string? arn = null) =>
        new(subject ?? Account, arn ?? b.AccountArn, control, status, evidence);

    // ---- CloudTrail ----------------------------------------------------------------------------------------

    private static IEnumerable<ComplianceResult> CloudTrail(AccountBaseline b)
    {
        var multi = b.Trails.FirstOrDefault(t => t.IsMultiRegion && t.IsLogging == true);
        if (multi is not null)
            yield return R(b, BaselineControls.CloudTrailMultiRegion, ComplianceStatus.Pass,
                $"trail {multi.Name} (home {multi.HomeRegion}) is multi-region and logging", multi.Name, multi.Arn);
        else if (b.TrailGaps.Count > 0)
            foreach (var r in NotEvaluated(b, BaselineControls.CloudTrailMultiRegion, b.TrailGaps)) yield return r;
        else
        {
            var stopped = b.Trails.Where(t => t.IsMultiRegion).Select(t => t.Name).ToList();
            var why = b.Trails.Count == 0 ? "no CloudTrail trail exists"
                : stopped.Count > 0 ? $"multi-region trail {string.Join(", ", stopped)} is not logging"
                : $"no multi-region trail (only {string.Join(", ", b.Trails.Select(t => $"{t.Name} in {t.HomeRegion}"))})";
            var uncovered = b.RegionsWithoutCloudTrail;
            yield return R(b, BaselineControls.CloudTrailMultiRegion, ComplianceStatus.Fail,
                $"{why}; regions with no logging trail: {(uncovered.Count == 0 ? "none" : Regions(uncovered))}{RegionNote(b)}");
        }

        if (b.Trails.Count == 0)
        {
            if (b.TrailGaps.Count > 0)
                foreach (var r in NotEvaluated(b, BaselineControls.CloudTrailLogFileValidation, b.TrailGaps.Where(g => g.Permission == "cloudtrail:DescribeTrails"))) yield return r;
            else
                yield return R(b, BaselineControls.CloudTrailLogFileValidation, ComplianceStatus.Fail, "no CloudTrail trail exists, so no log file is validated");
            yield break;
        }
        foreach (var t in b.Trails)
        {
            yield return R(b, BaselineControls.CloudTrailLogFileValidation, t.LogFileValidation ? ComplianceStatus.Pass : ComplianceStatus.Fail,
                $"trail {t.Name} (home {t.HomeRegion}): log file validation is {(t.LogFileValidation ? "on" : "off")}", t.Name, t.Arn);
            yield return R(b, BaselineControls.CloudTrailKms, t.KmsKeyId is null ? ComplianceStatus.Note : ComplianceStatus.Pass,
                t.KmsKeyId is null ? $"trail {t.Name}: logs are encrypted with S3-managed keys only, not a KMS key" : $"trail {t.Name}: logs are encrypted with {t.KmsKeyId}",
                t.Name, t.Arn);
            yield return R(b, BaselineControls.CloudTrailCloudWatchLogs, t.CloudWatchLogsLogGroupArn is null ? ComplianceStatus.Note : ComplianceStatus.Pass,
                t.CloudWatchLogsLogGroupArn is null ? $"trail {t.Name}: not delivered to CloudWatch Logs (no metric filters or alarms possible)" : $"trail {t.Name}: delivered to {t.CloudWatchLogsLogGroupArn}",
                t.Name, t.Arn);
        }
        foreach (var r in NotEvaluated(b, BaselineControls.CloudTrailLogFileValidation, b.TrailGaps.Where(g => g.Permission == "cloudtrail:DescribeTrails"))) yield return r;
    }

    // ---- Config --------------------------------------------------------------------------------------------

    private static IEnumerable<ComplianceResult> Config(AccountBaseline b)
    {
        var passing = new List<string>();
        foreach (var region in b.Regions)
        {
            if (!b.Config.TryGetValue(region, out var facts)) continue;   // a gap: reported below
            var problem = ConfigProblem(facts);
            if (problem is null) passing.Add(region);
            else yield return R(b, BaselineControls.ConfigAllRegions, ComplianceStatus.Fail, $"{region}: {problem}", region);
        }
        if (passing.Count > 0)
            yield return R(b, BaselineControls.ConfigAllRegions, ComplianceStatus.Pass,
                $"a recorder records all resources, is recording, and has a delivery channel in {Regions(passing)}{RegionNote(b)}");
        foreach (var r in NotEvaluated(b, BaselineControls.ConfigAllRegions, b.ConfigGaps)) yield return r;
    }

    private static string? ConfigProblem(ConfigRegionFacts facts)
    {
        if (facts.Recorders.Count == 0) return "no configuration recorder";
        var r = facts.Recorders[0];
        if (!r.AllSupported) return $"recorder {r.Name} records only selected resource types (allSupported false)";
        if (!r.Recording) return $"recorder {r.Name} is stopped";
        if (string.Equals(r.LastStatus, "FAILURE", StringComparison.OrdinalIgnoreCase)) return $"recorder {r.Name} last delivery failed";
        if (facts.DeliveryChannels.Count == 0) return $"recorder {r.Name} has no delivery channel";
        return null;
    }

    // ---- Access Analyzer -----------------------------------------------------------------------------------

    private static IEnumerable<ComplianceResult> AccessAnalyzer(AccountBaseline b)
    {
        var passing = new List<string>();
        foreach (var region in b.Regions)
        {
            if (!b.Analyzers.TryGetValue(region, out var analyzers)) continue;
            if (analyzers.Any(a => a.Status == "ACTIVE")) passing.Add(region);
            else
                yield return R(b, BaselineControls.AccessAnalyzer, ComplianceStatus.Fail, analyzers.Count == 0
                    ? $"{region}: no analyzer"
                    : $"{region}: no active analyzer ({string.Join(", ", analyzers.Select(a => $"{a.Name} {a.Status}"))})", region);
        }
        if (passing.Count > 0)
            yield return R(b, BaselineControls.AccessAnalyzer, ComplianceStatus.Pass, $"an active analyzer in {Regions(passing)}{RegionNote(b)}");
        foreach (var r in NotEvaluated(b, BaselineControls.AccessAnalyzer, b.AnalyzerGaps)) yield return r;
    }

    // ---- S3 ------------------------------------------------------------------------------------------------

    private static IEnumerable<ComplianceResult> PublicAccessBlock(AccountBaseline b)
    {
        var control = BaselineControls.S3AccountPublicAccessBlock;
        if (b.PublicAccessBlock.Gaps.Count > 0)
        {
            foreach (var r in NotEvaluated(b, control, b.PublicAccessBlock.Gaps)) yield return r;
            yield break;
        }
        if (b.PublicAccessBlock.Value is not { } pab)
        {
            yield return R(b, control, ComplianceStatus.Fail, "no account-level Block Public Access configuration is set");
            yield break;
        }
        var off = new List<string>();
        if (!pab.BlockPublicAcls) off.Add("BlockPublicAcls");
        if (!pab.IgnorePublicAcls) off.Add("IgnorePublicAcls");
        if (!pab.BlockPublicPolicy) off.Add("BlockPublicPolicy");
        if (!pab.RestrictPublicBuckets) off.Add("RestrictPublicBuckets");
        yield return off.Count == 0
            ? R(b, control, ComplianceStatus.Pass, "all four account-level Block Public Access settings are on")
            : R(b, control, ComplianceStatus.Fail, $"account-level Block Public Access is off for {string.Join(", ", off)}");
    }

    // ---- IAM -----------------------------------------------------------------------------------------------

    private static IEnumerable<ComplianceResult> UserPolicies(AccountBaseline b)
    {
        var control = BaselineControls.UserDirectPolicies;
        if (b.UserPolicies.Value is not { } users)
        {
            foreach (var r in NotEvaluated(b, control, b.UserPolicies.Gaps)) yield return r;
            yield break;
        }
        var direct = users.Where(u => u.Attached.Count + u.Inline.Count > 0).ToList();
        foreach (var u in direct)
        {
            var parts = new List<string>();
            if (u.Attached.Count > 0) parts.Add($"attached {string.Join(", ", u.Attached)}");
            if (u.Inline.Count > 0) parts.Add($"inline {string.Join(", ", u.Inline)}");
            yield return R(b, control, ComplianceStatus.Fail, $"policies on the user itself: {string.Join("; ", parts)}", u.UserName, u.Arn);
        }
        if (direct.Count == 0)
            yield return R(b, control, ComplianceStatus.Pass, $"none of the {users.Count} users has a policy of its own");
    }

    private static IEnumerable<ComplianceResult> AdminPolicies(AccountBaseline b)
    {
        var control = BaselineControls.FullAdminPolicies;
        if (b.AdminPolicies.Value is not { } policies)
        {
            foreach (var r in NotEvaluated(b, control, b.AdminPolicies.Gaps)) yield return r;
            yield break;
        }
        foreach (var p in policies)
            yield return R(b, control, ComplianceStatus.Fail,
                $"policy {p.Name} allows \"*\" on \"*\" and is attached {p.AttachmentCount} time{(p.AttachmentCount == 1 ? "" : "s")}", p.Name, p.Arn);
        if (policies.Count == 0)
            yield return R(b, control, ComplianceStatus.Pass, "no attached managed policy allows \"*\" on \"*\"");
    }

    private static IEnumerable<ComplianceResult> SupportRole(AccountBaseline b)
    {
        var control = BaselineControls.SupportRole;
        if (b.SupportRoles.Value is not { } roles)
        {
            foreach (var r in NotEvaluated(b, control, b.SupportRoles.Gaps)) yield return r;
            yield break;
        }
        yield return roles.Count > 0
            ? R(b, control, ComplianceStatus.Pass, $"{BaselineCollector.SupportPolicyName} is attached to role {string.Join(", ", roles)}")
            : R(b, control, ComplianceStatus.Fail, $"{BaselineCollector.SupportPolicyName} is attached to no role");
    }

    private static IEnumerable<ComplianceResult> Certificates(AccountBaseline b, DateTimeOffset now)
    {
        var control = BaselineControls.ExpiredServerCertificates;
        if (b.ServerCertificates.Value is not { } certificates)
        {
            foreach (var r in NotEvaluated(b, control, b.ServerCertificates.Gaps)) yield return r;
            yield break;
        }
        var expired = certificates.Where(c => c.Expiration is { } e && e < now).ToList();
        foreach (var c in expired)
            yield return new ComplianceResult(c.Name, c.Arn, control, ComplianceStatus.Fail,
                $"server certificate {c.Name} expired {EvidenceText.DateWithAge(c.Expiration!.Value, now)}",
                AgeDays: EvidenceText.AgeInDays(c.Expiration!.Value, now));
        if (expired.Count == 0)
            yield return R(b, control, ComplianceStatus.Pass, certificates.Count == 0
                ? "no server certificate is stored in IAM"
                : $"none of the {certificates.Count} server certificates has expired");
    }
}
