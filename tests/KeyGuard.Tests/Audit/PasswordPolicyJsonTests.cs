using KeyGuard.Compliance;
using Xunit;

namespace KeyGuard.Tests.Audit;

public class PasswordPolicyJsonTests
{
    [Fact]
    public void Reads_the_aws_cli_output_shape()
    {
        var lookup = PasswordPolicyJson.Parse(
            """{"PasswordPolicy":{"MinimumPasswordLength":14,"RequireSymbols":true,"PasswordReusePrevention":24,"ExpirePasswords":false}}""",
            "policy.json");

        Assert.Equal(14, lookup.Policy!.MinimumPasswordLength);
        Assert.Equal(24, lookup.Policy.PasswordReusePrevention);
        Assert.True(lookup.Policy.RequireSymbols);
    }

    [Fact]
    public void Reads_a_bare_policy_object() =>
        Assert.Equal(8, PasswordPolicyJson.Parse("""{"MinimumPasswordLength":8}""", "p.json").Policy!.MinimumPasswordLength);

    [Fact]
    public void A_null_policy_means_no_policy_is_set() =>
        Assert.Null(PasswordPolicyJson.Parse("""{"PasswordPolicy":null}""", "p.json").Policy);

    [Fact]
    public void Bad_json_is_a_usage_error_naming_the_file()
    {
        var e = Assert.Throws<InvalidInputException>(() => PasswordPolicyJson.Parse("{nope", "p.json"));
        Assert.StartsWith("password policy 'p.json': not valid JSON", e.Message);
    }
}
