using KeyGuard.Aws;
using KeyGuard.Enrichment;
using KeyGuard.Findings;
using Xunit;

namespace KeyGuard.Tests.Aws;

public class AccessKeyDecodingTests
{
    // Public examples from aws-iam.md §5, split so no committed line looks like a credential.
    private static readonly string SessionExample = "ASIA" + "Y34FZKBOKMUTVV7A";
    private static readonly string CanaryExample = "AKIA" + "SP2TPHJSQH3FJRUX";

    [Fact]
    public void Decodes_the_published_examples()
    {
        Assert.Equal("609629065308", AccessKeyId.DecodeAccount(SessionExample));
        Assert.Equal("171436882533", AccessKeyId.DecodeAccount(CanaryExample));
        Assert.Null(AccessKeyId.DecodeAccount("AKIAIOSFODNN7EXAMPLE"));
    }

    [Fact]
    public void The_second_example_is_a_thinkst_canary_account()
    {
        Assert.Equal("thinkst", CanaryAccounts.SourceOf(AccessKeyId.DecodeAccount(CanaryExample)));
        Assert.Null(CanaryAccounts.SourceOf("111122223333"));
        Assert.Equal(10, CanaryAccounts.Thinkst.Count);
        Assert.Equal(16, CanaryAccounts.ThinkstKnockoffs.Count);
    }

    [Fact]
    public void Found_key_never_prints_its_secret()
    {
        var key = new FoundKey("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        Assert.DoesNotContain("wJalr", key.ToString());
        Assert.Contains("<redacted>", key.ToString());
    }

    [Theory]
    [InlineData(null, "aws", "https://iam.amazonaws.com/", "us-east-1", "https://sts.amazonaws.com/")]
    [InlineData("eu-west-1", "aws", "https://iam.amazonaws.com/", "us-east-1", "https://sts.eu-west-1.amazonaws.com/")]
    [InlineData("cn-northwest-1", "aws-cn", "https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1", "https://sts.cn-northwest-1.amazonaws.com.cn/")]
    [InlineData("us-gov-east-1", "aws-us-gov", "https://iam.us-gov.amazonaws.com/", "us-gov-west-1", "https://sts.us-gov-east-1.amazonaws.com/")]
    public void Partitions_pick_endpoint_and_signing_region(string? region, string partition, string iam, string signingRegion, string sts)
    {
        var p = AwsPartition.ForRegion(region);
        Assert.Equal(partition, p.Name);
        Assert.Equal(iam, p.IamEndpoint.ToString());
        Assert.Equal(signingRegion, p.SigningRegion);
        Assert.Equal(sts, p.StsEndpoint(region).ToString());
    }
}
