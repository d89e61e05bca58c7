using System.Buffers.Binary;
using System.Text;
using KeyGuard.Compliance;
using KeyGuard.Sources.Git.History;
using KeyGuard.Sources.Git.Packs;
using LibGit2Sharp;

namespace KeyGuard.Tests.Fuzzing;

/// <summary>Inputs the fuzzer found that crashed a parser, reduced by hand; each now parses or fails cleanly.</summary>
public sealed class FuzzRegressionTests : IDisposable
{
    private readonly Support.TempDir _dir = new();

    // ---- password policy: GetInt32 threw FormatException on numbers that are not 32-bit integers ----

    [Theory]
    [InlineData("""{"PasswordPolicy":{"MinimumPasswordLength":1e10}}""", "MinimumPasswordLength 1e10")]
    [InlineData("""{"MinimumPasswordLength":14,"MaxPasswordAge":1.5}""", "MaxPasswordAge 1.5")]
    [InlineData("""{"MinimumPasswordLength":14,"PasswordReusePrevention":-2147483649}""", "PasswordReusePrevention -2147483649")]
    public void Password_policy_number_that_is_not_a_whole_int_is_a_usage_error(string json, string named)
    {
        var e = Assert.Throws<UsageException>(() => PasswordPolicyJson.Parse(json, "policy.json"));
        Assert.Contains("policy.json", e.Message);
        Assert.Contains(named + " is not a whole number", e.Message);
    }

    public void Dispose() => _dir.Dispose();
}
