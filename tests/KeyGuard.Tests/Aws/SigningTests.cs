using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using KeyGuard.Aws;
using KeyGuard.IamEmulator;
using Xunit;

namespace KeyGuard.Tests.Aws;

/// <summary>The emulator recomputes SigV4 server-side, so these prove the SDK-made signatures are real.</summary>
public class SigningTests
{
    [Fact]
    public async Task A_wrong_secret_is_rejected()
    {
        await using var bed = new EmulatorTestBed();
        using var session = bed.CreateSession(bed.Keys.Operator.AccessKeyId, bed.State.Random.Next() + "-not-the-secret");

        var e = await Assert.ThrowsAsync<IamException>(() => session.CreateIamClient().GetUserAsync());

        Assert.Equal(("SignatureDoesNotMatch", 403), (e.Code, e.HttpStatus));
        Assert.Single(bed.Server.Log.Of("GetUser")); // a 403 is final, not retried
    }

    [Fact]
    public async Task An_unknown_key_is_InvalidClientTokenId()
    {
        await using var bed = new EmulatorTestBed();
        string unknown = AccessKeyId.Generate("AKIA", DemoSeed.OperatorAccount, new Random(7));
        using var session = bed.CreateSession(unknown, bed.Keys.Operator.SecretAccessKey);

        var e = await Assert.ThrowsAsync<IamException>(() => session.CreateIamClient().ListUsersAsync());
        Assert.Equal(("InvalidClientTokenId", 403), (e.Code, e.HttpStatus));

        using var sts = session.CreateSts();
        var stsError = await Assert.ThrowsAsync<IamException>(() => sts.GetCallerIdentityAsync());
        Assert.Equal("InvalidClientTokenId", stsError.Code);
    }

    [Fact]
    public async Task IAM_requests_are_signed_for_the_partition_region_even_with_an_endpoint_override()
    {
        await using var bed = new EmulatorTestBed();
        using var session = AwsSession.Create(new AwsSessionOptions
        {
            Credentials = new BasicAWSCredentials(bed.Keys.Operator.AccessKeyId, bed.Keys.Operator.SecretAccessKey),
            EndpointUrl = bed.Server.Url,
            Region = "eu-central-1", // must not leak into the IAM signature
            Retry = bed.Retry,
        });
        await session.CreateIamClient().GetUserAsync();

        bed.Server.IamSigningRegion = "cn-north-1"; // an emulator that expects the China partition now rejects us-east-1
        var e = await Assert.ThrowsAsync<IamException>(() => session.CreateIamClient().GetUserAsync());
        Assert.Equal("SignatureDoesNotMatch", e.Code);
    }

    [Fact]
    public async Task The_sdk_sts_client_is_verified_too()
    {
        await using var bed = new EmulatorTestBed();
        var config = new AmazonSecurityTokenServiceConfig { ServiceURL = bed.Server.Url.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 };
        using var good = new AmazonSecurityTokenServiceClient(new BasicAWSCredentials(bed.Keys.Operator.AccessKeyId, bed.Keys.Operator.SecretAccessKey), config);
        var me = await good.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Equal(DemoSeed.OperatorAccount, me.Account);

        using var bad = new AmazonSecurityTokenServiceClient(new BasicAWSCredentials(bed.Keys.Operator.AccessKeyId, "x" + bed.Keys.Operator.SecretAccessKey[1..]), config);
        var e = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => bad.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        Assert.Equal("SignatureDoesNotMatch", e.ErrorCode);
    }

    [Fact]
    public async Task Session_credentials_need_their_token()
    {
        await using var bed = new EmulatorTestBed();
        var temporary = bed.OurAccount.FindUser("alice")!.AddSessionKey();

        using (var withToken = bed.CreateSession(temporary.AccessKeyId, temporary.SecretAccessKey, temporary.SessionToken))
        using (var sts = withToken.CreateSts())
            Assert.EndsWith("user/alice", (await sts.GetCallerIdentityAsync()).Arn);

        using var withoutToken = bed.CreateSession(temporary.AccessKeyId, temporary.SecretAccessKey);
        using var sts2 = withoutToken.CreateSts();
        Assert.Equal("InvalidClientTokenId", (await Assert.ThrowsAsync<IamException>(() => sts2.GetCallerIdentityAsync())).Code);
    }

    [Fact]
    public async Task Unsigned_requests_are_refused()
    {
        await using var bed = new EmulatorTestBed();
        using var http = new HttpClient();
        var response = await http.PostAsync(bed.Server.Url, new FormUrlEncodedContent(new Dictionary<string, string> { ["Action"] = "ListUsers", ["Version"] = "2010-05-08" }));
        Assert.Equal(403, (int)response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("<Code>MissingAuthenticationToken</Code>", body);
        Assert.Contains("xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"", body);
    }
}
