using System.Text.Json;
using KeyGuard.Aws;
using KeyGuard.Cli.Commands;
using KeyGuard.Compliance;
using KeyGuard.Compliance.Baseline;
using KeyGuard.CredentialReport;
using KeyGuard.IamEmulator;
using KeyGuard.Tests.Aws;

namespace KeyGuard.Tests.Audit;

/// <summary>The account baseline read from the emulator over HTTP (SigV4 verified) and judged, control by control.</summary>
[Collection(nameof(ReportCommandLiveTests))]   // ReportCommand's factories are static
public sealed class AccountBaselineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        ReportCommand.LiveApiFactory = null;
        ReportCommand.BaselineFactory = null;
        _dir.Dispose();
    }

    private static async Task<IReadOnlyList<ComplianceResult>> Judge(EmulatorTestBed bed)
    {
        var facts = await new BaselineCollector(bed.Session.CreateBaselineServices()).CollectAsync(bed.OurAccount.RootArn);
        return BaselineJudge.Judge(facts, DateTimeOffset.UtcNow);
    }

    private static void Compliant(EmulatorTestBed bed)
    {
        bed.OurAccount.Baseline.MakeCompliant(bed.OurAccount.Id, "us-east-1", "eu-west-1", "ap-south-1");
        foreach (var user in bed.OurAccount.Users) user.AttachedPolicies.Clear();
    }

    /// <summary>`keyguard report` in every output format, in process, against the emulator.</summary>
    private async Task<Dictionary<string, string>> RenderAll(EmulatorTestBed bed)
    {
        bed.OurAccount.CredentialReport.PollsUntilReady = 0;
        ReportCommand.LiveApiFactory = () => new IamCredentialReportApi(bed.Iam());
        ReportCommand.BaselineFactory = () => new BaselineCollector(bed.Session.CreateBaselineServices());
        var outputs = new Dictionary<string, string>();
        foreach (var format in new[] { "text", "json", "csv", "markdown", "html" })
        {
            var output = _dir.File($"report-{Guid.NewGuid():N}.{format}");
            int exit = await ReportCommand.Create().Parse(["--format", format, "--output", output]).InvokeAsync();
            Assert.True(exit is 0 or 1, $"{format}: exit {exit}");
            outputs[format] = File.ReadAllText(output);
        }
        return outputs;
    }

    /// <summary>The control shows with this status in every format: json's result, text's and markdown's rows,
    /// csv's record, html's table cell.</summary>
    private static void ShownInEveryFormat(Dictionary<string, string> outputs, CisControl control, ComplianceStatus status)
    {
        string word = status switch { ComplianceStatus.Fail => "fail", ComplianceStatus.Note => "note", _ => "pass" };
        var n = System.Text.RegularExpressions.Regex.Escape(control.Control);
        using var json = JsonDocument.Parse(outputs["json"]);
        Assert.Contains(json.RootElement.GetProperty("results").EnumerateArray(),
            r => r.GetProperty("title").GetString() == control.Title && r.GetProperty("status").GetString() == word);
        if (control.Control.Length == 0)
        {
            // A control without a CIS number (noted, not judged by v3.0/v5) is named by its title in csv and html.
            Assert.Contains($"\"{control.Title}\",{word},", outputs["csv"]);
            Assert.Contains($"st-{word}\">{word}</td><td title=\"{System.Net.WebUtility.HtmlEncode(control.Title)}\">-</td>", outputs["html"]);
            Assert.Matches($@"(?m)^\| \S+ \| {word} \| - \| - \|", outputs["markdown"]);
            Assert.Matches($@"(?m)^\S+\s+{word}\s+-\s", outputs["text"]);
            return;
        }
        Assert.Matches($@"(?m)^\S+\s+{word}\s+{n}\s", outputs["text"]);
        Assert.Matches($@"(?m)^\| \S+ \| {word} \| {n} \|", outputs["markdown"]);
        Assert.Matches($@"(?m),{n},[^,\n]*,[^\n]*,{word},", outputs["csv"]);
        Assert.Matches($@"st-{word}"">{word}</td><td title=""[^""]*"">{n}</td>", outputs["html"]);
    }

    private static ComplianceStatus[] StatusesOf(IReadOnlyList<ComplianceResult> results, CisControl control) =>
        results.Where(r => r.Control == control).Select(r => r.Status).Distinct().ToArray();

    [Fact]
    public async Task A_compliant_account_passes_every_baseline_control()
    {
        await using var bed = new EmulatorTestBed();
        Compliant(bed);

        var results = await Judge(bed);

        foreach (var control in BaselineControls.All)
            Assert.True(StatusesOf(results, control) is [ComplianceStatus.Pass], $"{control.Control} {control.Title}: {string.Join("; ", results.Where(r => r.Control == control).Select(r => r.Status + " " + r.Evidence))}");
        // Regions in parallel, but bounded.
        Assert.True(bed.Server.MaxConcurrentRequests <= new BaselineOptions().MaxParallelRegions + 4 + 4);
        // Every service was reached through its own protocol, signed for its own service and region.
        foreach (var action in new[] { "DescribeRegions", "DescribeTrails", "GetTrailStatus", "DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus",
                     "DescribeDeliveryChannels", "ListAnalyzers", "GetPublicAccessBlock", "ListPolicies", "GetPolicyVersion", "ListEntitiesForPolicy",
                     "ListServerCertificates", "ListUserPolicies", "ListAttachedUserPolicies" })
            Assert.Contains(bed.Server.Log.Entries, e => e.Action == action && e.HttpStatus == 200);
        Assert.Contains(bed.Server.Log.Entries, e => e.Action == "ListAnalyzers" && e.Parameter("Region") == "ap-south-1");

        var outputs = await RenderAll(bed);
        foreach (var control in BaselineControls.All) ShownInEveryFormat(outputs, control, ComplianceStatus.Pass);
    }

    public static TheoryData<string> Breakages => new()
    {
        "1.15", "1.16", "1.17", "1.19", "1.20", "2.1.4", "3.1", "3.2", "3.3", "3.5", "cwl",
    };

    /// <summary>From a compliant account, break one thing: that control (and only it) fails, or is noted.</summary>
    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task Breaking_one_setting_fails_its_control(string which)
    {
        await using var bed = new EmulatorTestBed();
        Compliant(bed);
        var b = bed.OurAccount.Baseline;
        CisControl control;
        var expected = ComplianceStatus.Fail;
        switch (which)
        {
            case "1.15": bed.OurAccount.FindUser("alice")!.InlinePolicies["extra"] = EmulatedBaseline.ReadOnlyDocument; control = BaselineControls.UserDirectPolicies; break;
            case "1.16":
                var admin = new EmulatedManagedPolicy("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess", EmulatedBaseline.AdminDocument);
                admin.Groups.Add("admins");
                b.Policies.Add(admin);
                control = BaselineControls.FullAdminPolicies;
                break;
            case "1.17": b.Policies.Single(p => p.Name == "AWSSupportAccess").Roles.Clear(); control = BaselineControls.SupportRole; break;
            case "1.19": b.ServerCertificates.Add(("old", DateTimeOffset.UtcNow.AddDays(-3))); control = BaselineControls.ExpiredServerCertificates; break;
            case "1.20": b.Analyzers["eu-west-1"] = []; control = BaselineControls.AccessAnalyzer; break;
            case "2.1.4": b.PublicAccessBlock = new PublicAccessBlock(true, false, true, true); control = BaselineControls.S3AccountPublicAccessBlock; break;
            case "3.1": b.Trails[0].IsLogging = false; control = BaselineControls.CloudTrailMultiRegion; break;
            case "3.2": b.Trails[0].LogFileValidation = false; control = BaselineControls.CloudTrailLogFileValidation; break;
            case "3.3": b.Config["ap-south-1"].Recording = false; control = BaselineControls.ConfigAllRegions; break;
            case "3.5": b.Trails[0].KmsKeyId = null; control = BaselineControls.CloudTrailKms; expected = ComplianceStatus.Note; break;
            default: b.Trails[0].CloudWatchLogsLogGroupArn = null; control = BaselineControls.CloudTrailCloudWatchLogs; expected = ComplianceStatus.Note; break;
        }

        var results = await Judge(bed);

        Assert.Contains(results, r => r.Control == control && r.Status == expected);
        Assert.All(results.Where(r => r.Control != control), r => Assert.Equal(ComplianceStatus.Pass, r.Status));
        ShownInEveryFormat(await RenderAll(bed), control, expected);
    }

    [Fact]
    public async Task The_demo_seed_fails_passes_and_notes_what_it_was_seeded_with()
    {
        await using var bed = new EmulatorTestBed();

        var results = await Judge(bed);

        string Evidence(CisControl c, ComplianceStatus s) => string.Join(" | ", results.Where(r => r.Control == c && r.Status == s).Select(r => r.User + ": " + r.Evidence));
        Assert.Contains("management-events is not logging; regions with no logging trail: eu-central-1, us-east-1, us-west-2",
            Evidence(BaselineControls.CloudTrailMultiRegion, ComplianceStatus.Fail));
        Assert.Contains("management-events", Evidence(BaselineControls.CloudTrailLogFileValidation, ComplianceStatus.Fail));
        Assert.Contains("eu-audit", Evidence(BaselineControls.CloudTrailLogFileValidation, ComplianceStatus.Pass));
        Assert.Contains("management-events", Evidence(BaselineControls.CloudTrailKms, ComplianceStatus.Note));
        Assert.Contains("management-events", Evidence(BaselineControls.CloudTrailCloudWatchLogs, ComplianceStatus.Note));
        var config = Evidence(BaselineControls.ConfigAllRegions, ComplianceStatus.Fail);
        Assert.Contains("eu-west-1: recorder default records only selected resource types", config);
        Assert.Contains("us-west-2: no configuration recorder", config);
        Assert.Contains("eu-central-1: recorder default has no delivery channel", config);
        Assert.Contains("us-east-1", Evidence(BaselineControls.ConfigAllRegions, ComplianceStatus.Pass));
        Assert.Contains("eu-central-1: no active analyzer (old-analyzer DISABLED)", Evidence(BaselineControls.AccessAnalyzer, ComplianceStatus.Fail));
        Assert.Contains("us-west-2: no analyzer", Evidence(BaselineControls.AccessAnalyzer, ComplianceStatus.Fail));
        Assert.Contains("RestrictPublicBuckets", Evidence(BaselineControls.S3AccountPublicAccessBlock, ComplianceStatus.Fail));
        Assert.Contains("LegacyAdmin", Evidence(BaselineControls.FullAdminPolicies, ComplianceStatus.Fail));
        Assert.DoesNotContain("AWSCompromisedKeyQuarantineV3", Evidence(BaselineControls.FullAdminPolicies, ComplianceStatus.Fail));
        Assert.Contains("deploy-bot: policies on the user itself: attached AWSCompromisedKeyQuarantineV3", Evidence(BaselineControls.UserDirectPolicies, ComplianceStatus.Fail));
        Assert.Contains("aws-support", Evidence(BaselineControls.SupportRole, ComplianceStatus.Pass));
        Assert.Contains("www-2023", Evidence(BaselineControls.ExpiredServerCertificates, ComplianceStatus.Fail));
        Assert.DoesNotContain("www-current", Evidence(BaselineControls.ExpiredServerCertificates, ComplianceStatus.Fail));
    }

    // ---- faults: one "not evaluated", a normal exit -----------------------------------------------------------

    /// <summary>`keyguard report` in process, reading the report and the baseline from the emulator.</summary>
    private async Task<(int Exit, JsonElement Json)> RunReport(EmulatorTestBed bed, params string[] extra)
    {
        bed.OurAccount.CredentialReport.PollsUntilReady = 0;
        ReportCommand.LiveApiFactory = () => new IamCredentialReportApi(bed.Iam());
        ReportCommand.BaselineFactory = () => new BaselineCollector(bed.Session.CreateBaselineServices());
        var output = _dir.File($"report-{Guid.NewGuid():N}.json");
        int exit = await ReportCommand.Create().Parse(["--format", "json", "--output", output, .. extra]).InvokeAsync();
        return (exit, exit == 0 || exit == 1 ? JsonDocument.Parse(File.ReadAllText(output)).RootElement.Clone() : default);
    }

    private static List<JsonElement> NotEvaluated(JsonElement json) => json.GetProperty("results").EnumerateArray()
        .Where(r => r.GetProperty("section").GetString() == "baseline" && r.GetProperty("status").GetString() == "not_evaluated").ToList();

    [Fact]
    public async Task Access_denied_on_one_service_is_one_not_evaluated_result_naming_the_permission()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("GetPublicAccessBlock", FaultKind.AccessDenied);

        var (exit, json) = await RunReport(bed);

        Assert.Equal(0, exit);
        var gap = Assert.Single(NotEvaluated(json));
        Assert.Equal("2.1.4", gap.GetProperty("control").GetString());
        Assert.Contains("s3:GetAccountPublicAccessBlock was denied (AccessDenied)", gap.GetProperty("evidence").GetString());
        Assert.Contains(json.GetProperty("results").EnumerateArray(), r => r.GetProperty("control").GetString() == "3.1");
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_retries_is_one_not_evaluated_result_across_regions()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("ListAnalyzers", FaultKind.Throttling);

        var (exit, json) = await RunReport(bed);

        Assert.Equal(0, exit);
        var gap = Assert.Single(NotEvaluated(json));
        Assert.Equal("1.20", gap.GetProperty("control").GetString());
        Assert.Contains("in eu-central-1, eu-west-1, us-east-1, us-west-2: access-analyzer:ListAnalyzers was throttled (ThrottlingException)",
            gap.GetProperty("evidence").GetString());
        Assert.True(bed.Delays.Count >= 3);   // retried with backoff first
    }

    [Fact]
    public async Task A_region_that_times_out_is_one_not_evaluated_result_and_the_other_regions_are_judged()
    {
        await using var bed = new EmulatorTestBed(maxAttempts: 2, requestTimeout: TimeSpan.FromMilliseconds(400));
        bed.Server.Faults.Inject("DescribeConfigurationRecorders@eu-west-1", FaultKind.Slow, delay: TimeSpan.FromSeconds(3));

        var (exit, json) = await RunReport(bed);

        Assert.Equal(0, exit);
        var gap = Assert.Single(NotEvaluated(json));
        Assert.Equal("3.3", gap.GetProperty("control").GetString());
        Assert.Contains("in eu-west-1: config:DescribeConfigurationRecorders timed out", gap.GetProperty("evidence").GetString());
        var config = json.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("control").GetString() == "3.3").ToList();
        Assert.Contains(config, r => r.GetProperty("status").GetString() == "fail" && r.GetProperty("user").GetString() == "us-west-2");
        Assert.Contains(config, r => r.GetProperty("status").GetString() == "pass" && r.GetProperty("evidence").GetString()!.Contains("us-east-1"));
    }

    [Fact]
    public async Task Fail_on_counts_baseline_failures_and_never_notes()
    {
        await using var bed = new EmulatorTestBed();
        Compliant(bed);
        bed.OurAccount.VirtualMfaDevices.RemoveAll(v => v.UserName == "<root>");   // root's hardware MFA (critical) passes
        bed.OurAccount.Baseline.Trails[0].KmsKeyId = null;   // a note only
        var (exit, json) = await RunReport(bed, "--fail-on", "high");
        Assert.True(exit == 0, string.Join("\n", json.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("status").GetString() == "fail").Select(r => r.ToString())));
        Assert.Contains(json.GetProperty("results").EnumerateArray(), r => r.GetProperty("status").GetString() == "note");

        bed.OurAccount.Baseline.PublicAccessBlock = null;   // 2.1.4, high
        Assert.Equal(1, (await RunReport(bed, "--fail-on", "high")).Exit);
    }

    [Fact]
    public async Task No_baseline_skips_it()
    {
        await using var bed = new EmulatorTestBed();
        var (_, json) = await RunReport(bed, "--no-baseline");
        Assert.False(json.GetProperty("baselineEvaluated").GetBoolean());
        Assert.DoesNotContain(json.GetProperty("results").EnumerateArray(), r => r.GetProperty("section").GetString() == "baseline");
        Assert.DoesNotContain(bed.Server.Log.Entries, e => e.Service == "cloudtrail");
    }
}

/// <summary>The baseline in every output format, from the emulator's demo seed; and `keyguard report` as a real process.</summary>
[Collection(nameof(ReportCommandLiveTests))]
public sealed class AccountBaselineOutputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        ReportCommand.LiveApiFactory = null;
        ReportCommand.BaselineFactory = null;
        _dir.Dispose();
    }

    private async Task<string> Render(EmulatorTestBed bed, string format)
    {
        bed.OurAccount.CredentialReport.PollsUntilReady = 0;
        ReportCommand.LiveApiFactory = () => new IamCredentialReportApi(bed.Iam());
        ReportCommand.BaselineFactory = () => new BaselineCollector(bed.Session.CreateBaselineServices());
        var output = _dir.File($"report-{Guid.NewGuid():N}.{format}");
        Assert.Equal(0, await ReportCommand.Create().Parse(["--format", format, "--output", output]).InvokeAsync());
        return File.ReadAllText(output);
    }

    private static readonly string[] Numbers = ["1.15", "1.16", "1.17", "1.19", "1.20", "2.1.4", "3.1", "3.2", "3.3", "3.5"];

    [Fact]
    public async Task Json_lists_every_baseline_control_with_both_numbers_evidence_and_fix()
    {
        await using var bed = new EmulatorTestBed();
        using var json = JsonDocument.Parse(await Render(bed, "json"));
        var root = json.RootElement;
        Assert.True(root.GetProperty("baselineEvaluated").GetBoolean());
        var baseline = root.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("section").GetString() == "baseline").ToList();
        foreach (var control in BaselineControls.All)
            Assert.Contains(baseline, r => r.GetProperty("title").GetString() == control.Title && r.GetProperty("controlV5").GetString() == control.ControlV5
                && r.GetProperty("remediation").GetString() == control.Remediation && r.GetProperty("evidence").GetString()!.Length > 0);
        Assert.Contains(baseline, r => r.GetProperty("control").GetString() == "1.20" && r.GetProperty("controlV5").GetString() == "1.19" && r.GetProperty("status").GetString() == "fail");
        Assert.Contains(baseline, r => r.GetProperty("control").GetString() == "1.17" && r.GetProperty("status").GetString() == "pass");
        Assert.Contains(baseline, r => r.GetProperty("control").GetString() == "3.5" && r.GetProperty("status").GetString() == "note");
        var controls = root.GetProperty("summary").GetProperty("controls").EnumerateArray().ToList();
        Assert.Equal(CisControls.All.Count + BaselineControls.All.Count, controls.Count);
        // Every password clause is judged (the demo account has no policy: each fails).
        foreach (var title in new[] { "uppercase", "lowercase", "symbol", "number", "expires" })
            Assert.Contains(root.GetProperty("results").EnumerateArray(), r => r.GetProperty("title").GetString()!.Contains(title) && r.GetProperty("status").GetString() == "fail");
    }

    [Fact]
    public async Task Text_shows_the_baseline_table_and_how_to_fix()
    {
        await using var bed = new EmulatorTestBed();
        var text = await Render(bed, "text");
        Assert.Contains("Account baseline (CloudTrail, AWS Config, S3 Block Public Access, IAM Access Analyzer, IAM policies):", text);
        foreach (var number in Numbers)
            Assert.Matches($@"(?m)^\S+\s+(fail|pass|note)\s+{System.Text.RegularExpressions.Regex.Escape(number)}\s", text);
        Assert.Matches(@"(?m)^high\s+fail\s+3\.1\s+3\.1\s+<account>\s+multi-region trail management-events is not logging", text);
        Assert.Contains("How to fix:", text);
        Assert.Contains("aws cloudtrail create-trail --name management-events", text);
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("markdown")]
    [InlineData("html")]
    public async Task Csv_markdown_and_html_carry_the_baseline(string format)
    {
        await using var bed = new EmulatorTestBed();
        var output = await Render(bed, format);
        Assert.Contains("management-events", output);
        Assert.Contains("put-public-access-block", output);
        if (format == "csv") Assert.Contains(",3.1,3.1,", output);
        if (format == "markdown") Assert.Contains("## Account baseline", output);
        if (format == "html")
            // A failing account: the baseline section comes before the credential findings.
            Assert.True(output.IndexOf("<section id=\"baseline\"", StringComparison.Ordinal) is > 0 and var at
                && at < output.IndexOf("<section id=\"findings\">", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Html_puts_a_passing_baseline_after_the_findings()
    {
        await using var bed = new EmulatorTestBed();
        bed.OurAccount.Baseline.MakeCompliant(bed.OurAccount.Id, "us-east-1");
        foreach (var user in bed.OurAccount.Users) user.AttachedPolicies.Clear();
        var html = await Render(bed, "html");
        Assert.True(html.IndexOf("<section id=\"baseline\" data-failing=\"0\"", StringComparison.Ordinal) > html.IndexOf("<section id=\"findings\">", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keyguard_report_against_the_demo_seed_shows_each_control_and_exits_normally()
    {
        await using var bed = new EmulatorTestBed();
        using var dir = new KeyGuard.Tests.Support.TempDir();
        var r = KeyGuard.Tests.Support.KeyGuardProcess.Run(dir.Path, null, bed.OperatorEnvironment(), "report", "--endpoint-url", bed.Server.Url.ToString());
        Assert.True(r.ExitCode == 0, r.Stderr);
        foreach (var number in Numbers) Assert.Contains($" {number} ", r.Stdout);
        foreach (var control in BaselineControls.All) Assert.Contains(control.Title, r.Stdout);
        Assert.Contains("regions with no logging trail: eu-central-1, us-east-1, us-west-2", r.Stdout);
        Assert.Contains(bed.Server.Log.Entries, e => e.Service == "s3" && e.Action == "GetPublicAccessBlock" && e.HttpStatus == 200);
    }
}
