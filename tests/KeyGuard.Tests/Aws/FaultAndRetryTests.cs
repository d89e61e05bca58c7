using KeyGuard.Aws;
using KeyGuard.IamEmulator;
using Xunit;

namespace KeyGuard.Tests.Aws;

/// <summary>Every failure path ends in a clear, typed error; transient ones are retried with backoff.</summary>
public class FaultAndRetryTests
{
    [Fact]
    public async Task Throttling_is_retried_then_succeeds()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("ListUsers", FaultKind.Throttling, times: 2);

        var users = await bed.Iam().ListAllUsersAsync();

        Assert.NotEmpty(users);
        Assert.Equal(["Throttling", "Throttling", null], bed.Server.Log.Of("ListUsers").Select(e => e.ErrorCode));
        Assert.Equal(2, bed.Delays.Count);
    }

    [Fact]
    public async Task Persistent_throttling_gives_up_after_max_attempts()
    {
        await using var bed = new EmulatorTestBed(maxAttempts: 3);
        bed.Server.Faults.Inject("GetUser", FaultKind.Throttling);

        var e = await Assert.ThrowsAsync<IamException>(() => bed.Iam().GetUserAsync());

        Assert.Equal(("Throttling", 400), (e.Code, e.HttpStatus));
        Assert.Contains("iam:GetUser", e.Message);
        Assert.Contains("gave up after 3 attempts", e.Message);
        Assert.Equal(3, bed.Server.Log.Of("GetUser").Count());
    }

    [Fact]
    public async Task Server_errors_are_retried()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("GetAccountSummary", FaultKind.ServiceFailure, times: 1);

        var summary = await bed.Iam().GetAccountSummaryAsync();

        Assert.True(summary.ContainsKey("Users"));
        Assert.Equal([500, 200], bed.Server.Log.Of("GetAccountSummary").Select(e => e.HttpStatus));
    }

    [Fact]
    public async Task AccessDenied_names_the_missing_permission_and_is_not_retried()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("GetAccessKeyLastUsed", FaultKind.AccessDenied);

        var e = await Assert.ThrowsAsync<IamException>(() => bed.Iam().GetAccessKeyLastUsedAsync(bed.Keys.ActiveIdle.AccessKeyId));

        Assert.True(e.IsAccessDenied);
        Assert.Equal(403, e.HttpStatus);
        Assert.Contains("lack the permission iam:GetAccessKeyLastUsed", e.Message);
        Assert.Single(bed.Server.Log.Of("GetAccessKeyLastUsed"));
    }

    [Fact]
    public async Task A_slow_answer_times_out()
    {
        await using var bed = new EmulatorTestBed(maxAttempts: 2, requestTimeout: TimeSpan.FromMilliseconds(300));
        bed.Server.Faults.Inject("ListUsers", FaultKind.Slow, delay: TimeSpan.FromSeconds(3));

        var e = await Assert.ThrowsAsync<IamException>(() => bed.Iam().ListUsersAsync());

        Assert.Equal("RequestTimeout", e.Code);
        Assert.Contains("iam:ListUsers", e.Message);
        Assert.Contains("gave up after 2 attempts", e.Message);
    }

    [Fact]
    public async Task A_slow_answer_within_the_timeout_is_fine()
    {
        await using var bed = new EmulatorTestBed(requestTimeout: TimeSpan.FromSeconds(5));
        bed.Server.Faults.Inject("ListUsers", FaultKind.Slow, times: 1, delay: TimeSpan.FromMilliseconds(200));
        Assert.NotEmpty((await bed.Iam().ListUsersAsync()).Items);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_turned_into_a_timeout()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("ListUsers", FaultKind.Slow, delay: TimeSpan.FromSeconds(3));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bed.Iam().ListUsersAsync(cancellationToken: cts.Token));
    }

    [Fact]
    public async Task Sts_errors_and_retries_behave_like_IAM()
    {
        await using var bed = new EmulatorTestBed();
        bed.Server.Faults.Inject("GetCallerIdentity", FaultKind.Throttling, times: 1);
        bed.Server.Faults.Inject("GetAccessKeyInfo", FaultKind.AccessDenied);
        using var sts = bed.Session.CreateSts();

        Assert.Equal(DemoSeed.OperatorAccount, (await sts.GetCallerIdentityAsync()).Account);
        var e = await Assert.ThrowsAsync<IamException>(() => sts.GetAccessKeyInfoAsync(bed.Keys.OtherAccount.AccessKeyId));
        Assert.Contains("sts:GetAccessKeyInfo", e.Message);
        Assert.True(e.IsAccessDenied);
    }

    [Fact]
    public void Backoff_grows_exponentially_and_is_capped()
    {
        var policy = new AwsRetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(500), Jitter = new FixedRandom(0.999) };
        Assert.InRange(policy.BackoffBefore(0).TotalMilliseconds, 99, 100);
        Assert.InRange(policy.BackoffBefore(2).TotalMilliseconds, 399, 400);
        Assert.InRange(policy.BackoffBefore(10).TotalMilliseconds, 499, 500);
    }

    [Fact]
    public void Error_envelope_is_parsed()
    {
        const string body = """<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error><RequestId>req-1</RequestId></ErrorResponse>""";
        var e = IamErrorParser.Parse("iam:GetUser", 404, body);
        Assert.Equal(("NoSuchEntity", 404, "req-1"), (e.Code, e.HttpStatus, e.RequestId));
        Assert.Equal("iam:GetUser failed with NoSuchEntity (HTTP 404): The user with name bob cannot be found.", e.Message);
        Assert.Equal("ServiceFailure", IamErrorParser.Parse("iam:GetUser", 502, "<html>bad gateway</html>").Code);
    }

    [Fact]
    public void A_response_without_the_documented_shape_is_a_MalformedResponse_naming_the_action()
    {
        var result = System.Xml.Linq.XDocument.Parse("<GetUserResponse><GetUserResult><Other/></GetUserResult></GetUserResponse>").Root!.Elements().First();
        var e = Assert.Throws<IamException>(() => result.RequiredChild("User"));
        Assert.Equal(("iam:GetUser", "MalformedResponse"), (e.Action, e.Code));
        Assert.Contains("<GetUserResult> has no <User>", e.Message);
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }
}
