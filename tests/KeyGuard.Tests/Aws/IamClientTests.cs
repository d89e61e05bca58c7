using System.Text;
using KeyGuard.Aws;
using KeyGuard.IamEmulator;
using Xunit;

namespace KeyGuard.Tests.Aws;

/// <summary>The real IamClient against the emulator over HTTP.</summary>
public class IamClientTests
{
    [Fact]
    public async Task ListAllUsers_follows_markers_across_pages()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.PageSize = 2;
        for (int i = 0; i < 5; i++) bed.OurAccount.AddUser($"extra-{i}");

        var first = await bed.Iam().ListUsersAsync();
        Assert.Equal(2, first.Items.Count);
        Assert.True(first.IsTruncated);
        Assert.NotNull(first.Marker);
        var second = await bed.Iam().ListUsersAsync(marker: first.Marker);
        Assert.NotEqual(first.Items[0].UserName, second.Items[0].UserName);

        var all = await bed.Iam().ListAllUsersAsync();
        Assert.Equal(bed.OurAccount.Users.Select(u => u.UserName), all.Select(u => u.UserName));
        Assert.Equal(9, all.Count); // 4 demo users + 5 extra
        Assert.True(bed.Server.Log.Of("ListUsers").Count(e => e.Parameter("Marker") != null) >= 4);
        Assert.Contains(all, u => u.Arn == $"arn:aws:iam::{DemoSeed.OperatorAccount}:user/ci/deploy-bot");
    }

    [Fact]
    public async Task MaxItems_limits_a_page()
    {
        await using var bed = new EmulatorTestBed();
        var page = await bed.Iam().ListUsersAsync(maxItems: 1);
        Assert.Single(page.Items);
        Assert.True(page.IsTruncated);
        Assert.Equal("1", bed.Server.Log.Of("ListUsers").Single().Parameter("MaxItems"));
    }

    [Fact]
    public async Task Reads_keys_last_used_users_and_mfa()
    {
        await using var bed = new EmulatorTestBed();
        var iam = bed.Iam();

        var keys = await iam.ListAllAccessKeysAsync("alice");
        var key = Assert.Single(keys);
        Assert.Equal(bed.Keys.ActiveRecentlyUsed.AccessKeyId, key.AccessKeyId);
        Assert.Equal(AccessKeyStatus.Active, key.Status);

        var lastUsed = await iam.GetAccessKeyLastUsedAsync(bed.Keys.ActiveRecentlyUsed.AccessKeyId);
        Assert.Equal("alice", lastUsed.UserName);
        Assert.Equal("s3", lastUsed.ServiceName);
        Assert.Equal("eu-west-1", lastUsed.Region);
        Assert.NotNull(lastUsed.LastUsedDate);

        var never = await iam.GetAccessKeyLastUsedAsync(bed.Keys.Deleted.AccessKeyId);
        Assert.Null(never.LastUsedDate);
        Assert.Null(never.ServiceName); // "N/A" on the wire

        Assert.Equal("keyguard-operator", (await iam.GetUserAsync()).UserName);
        Assert.Equal("/ci/", (await iam.GetUserAsync("deploy-bot")).Path);
        Assert.Single(await iam.ListAllMfaDevicesAsync("alice"));
        var virtualDevices = await iam.ListAllVirtualMfaDevicesAsync();
        Assert.Contains(virtualDevices, d => d.UserArn == $"arn:aws:iam::{DemoSeed.OperatorAccount}:root");
        Assert.Equal(["AWSCompromisedKeyQuarantineV3"], (await iam.ListAllAttachedUserPoliciesAsync("deploy-bot")).Select(p => p.PolicyName));
    }

    [Fact]
    public async Task Account_summary_and_password_policy()
    {
        await using var bed = new EmulatorTestBed();
        var iam = bed.Iam();
        var summary = await iam.GetAccountSummaryAsync();
        Assert.Equal(4, summary["Users"]);
        Assert.Equal(1, summary["AccountMFAEnabled"]);
        Assert.Equal(2, summary["AccessKeysPerUserQuota"]);

        Assert.Null(await iam.GetAccountPasswordPolicyAsync()); // NoSuchEntity means "no policy"
        bed.OurAccount.PasswordPolicy = new PasswordPolicy(14, true, true, true, true, true, true, 90, 24, false);
        var policy = await iam.GetAccountPasswordPolicyAsync();
        Assert.Equal(14, policy!.MinimumPasswordLength);
        Assert.Equal(90, policy.MaxPasswordAge);
        Assert.True(policy.RequireSymbols);
    }

    [Fact]
    public async Task Credential_report_goes_through_its_states()
    {
        await using var bed = new EmulatorTestBed();
        var iam = bed.Iam();

        var notPresent = await Assert.ThrowsAsync<IamException>(() => iam.GetCredentialReportAsync());
        Assert.Equal(("ReportNotPresent", 410), (notPresent.Code, notPresent.HttpStatus));

        Assert.Equal(CredentialReportState.Started, (await iam.GenerateCredentialReportAsync()).State);
        var inProgress = await Assert.ThrowsAsync<IamException>(() => iam.GetCredentialReportAsync());
        Assert.Equal(("ReportInProgress", 404), (inProgress.Code, inProgress.HttpStatus));

        var report = await iam.GetCredentialReportAsync();
        var lines = report.Csv.TrimEnd('\n').Split('\n');
        Assert.Equal(CredentialReportCsv.Header, lines[0]);
        Assert.All(lines, l => Assert.Equal(22, l.Split(',').Length));
        Assert.StartsWith("<root_account>,arn:aws:iam::111122223333:root,", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("alice,") && l.Contains(",true,") && l.Contains(",eu-west-1,s3,"));
        Assert.Equal("text/csv", report.ReportFormat);

        // Within four hours Generate reuses the report instead of starting another.
        Assert.Equal(CredentialReportState.Complete, (await iam.GenerateCredentialReportAsync()).State);
        Assert.Equal(1, bed.OurAccount.CredentialReport.Generations);

        bed.OurAccount.ExpireCredentialReport();
        var expired = await Assert.ThrowsAsync<IamException>(() => iam.GetCredentialReportAsync());
        Assert.Equal(("ReportExpired", 410), (expired.Code, expired.HttpStatus));

        // The fetcher `keyguard report` uses: an expired report is generated again, then polled.
        var fetcher = new KeyGuard.CredentialReport.CredentialReportFetcher(
            new KeyGuard.CredentialReport.IamCredentialReportApi(iam), TimeProvider.System, (_, _) => Task.CompletedTask);
        var fetched = await fetcher.FetchAsync();
        Assert.Equal(2, bed.OurAccount.CredentialReport.Generations);
        Assert.StartsWith(CredentialReportCsv.Header, Encoding.UTF8.GetString(fetched.Content));
    }

    [Fact]
    public async Task Key_mutations_always_send_UserName()
    {
        await using var bed = new EmulatorTestBed();
        var iam = bed.Iam();

        var created = await iam.CreateAccessKeyAsync("alice");
        Assert.DoesNotContain(created.SecretAccessKey, created.ToString());
        await iam.UpdateAccessKeyAsync("alice", bed.Keys.ActiveRecentlyUsed.AccessKeyId, AccessKeyStatus.Inactive);
        await iam.DeleteAccessKeyAsync("alice", created.AccessKeyId);
        await iam.PutUserPolicyAsync("alice", "keyguard-deny-all", """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}""");

        foreach (var action in new[] { "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "PutUserPolicy" })
            Assert.Equal("alice", bed.Server.Log.Of(action).Single().Parameter("UserName"));
        Assert.Equal(AccessKeyStatus.Inactive, bed.Keys.ActiveRecentlyUsed.Status);
        Assert.Contains("keyguard-deny-all", bed.OurAccount.FindUser("alice")!.InlinePolicies.Keys);
        // The operator's own key was untouched.
        Assert.Equal(AccessKeyStatus.Active, bed.Keys.Operator.Status);
        Assert.Single(bed.OurAccount.FindUser("keyguard-operator")!.Keys);
    }

    [Fact]
    public async Task The_emulator_reproduces_the_pitfall_the_UserName_rule_prevents()
    {
        await using var bed = new EmulatorTestBed();
        // Bypass IamClient's guard with a raw signed request: without UserName, IAM acts on the caller's own user.
        using var http = new HttpClient();
        var transport = new IamQueryTransport(http,
            new Amazon.Runtime.BasicAWSCredentials(bed.Keys.Operator.AccessKeyId, bed.Keys.Operator.SecretAccessKey),
            bed.Server.Url, "us-east-1", bed.Retry);
        var result = await transport.SendAsync("ListAccessKeys", [], CancellationToken.None);
        Assert.Contains(bed.Keys.Operator.AccessKeyId, result.ToString());
        Assert.Null(bed.Server.Log.Of("ListAccessKeys").Single().Parameter("UserName"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Key_mutations_refuse_a_missing_UserName(string? userName)
    {
        await using var bed = new EmulatorTestBed();
        var iam = bed.Iam();
        string id = bed.Keys.ActiveRecentlyUsed.AccessKeyId;
        await Assert.ThrowsAsync<ArgumentException>(() => iam.CreateAccessKeyAsync(userName!));
        await Assert.ThrowsAsync<ArgumentException>(() => iam.UpdateAccessKeyAsync(userName!, id, AccessKeyStatus.Inactive));
        await Assert.ThrowsAsync<ArgumentException>(() => iam.DeleteAccessKeyAsync(userName!, id));
        await Assert.ThrowsAsync<ArgumentException>(() => iam.ListAccessKeysAsync(userName!));
        Assert.Empty(bed.Server.Log.Entries);
    }

    [Fact]
    public async Task A_third_key_is_LimitExceeded()
    {
        await using var bed = new EmulatorTestBed();
        var iam = bed.Iam();
        await iam.CreateAccessKeyAsync("alice");
        var e = await Assert.ThrowsAsync<IamException>(() => iam.CreateAccessKeyAsync("alice"));
        Assert.Equal(("LimitExceeded", 409), (e.Code, e.HttpStatus));
        Assert.NotNull(e.RequestId);
    }

    [Fact]
    public async Task Requests_carry_the_KeyGuard_user_agent()
    {
        await using var bed = new EmulatorTestBed();
        await bed.Iam().GetUserAsync();
        Assert.StartsWith("KeyGuard/", bed.Server.Log.Of("GetUser").Single().UserAgent);
        using var sts = bed.Session.CreateSts();
        await sts.GetCallerIdentityAsync();
        Assert.Contains("app/KeyGuard-", bed.Server.Log.Of("GetCallerIdentity").Single().UserAgent);
    }
}
