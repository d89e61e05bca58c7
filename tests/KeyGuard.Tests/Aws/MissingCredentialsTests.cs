using KeyGuard.Tests.Support;
using Xunit;

namespace KeyGuard.Tests.Aws;

/// <summary>
/// No operator credentials anywhere: every command that asks AWS says so in one line and exits 4 (aws-e2e review:
/// the SDK's six-line dump of the providers it tried; report16 fixed `report`, this covers the others).
/// </summary>
public sealed class MissingCredentialsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeCredentials _fake = new(1606);

    public void Dispose() => _dir.Dispose();

    private Dictionary<string, string> NoCredentials()
    {
        var empty = _dir.Write("empty-aws-file", "");
        var env = new Dictionary<string, string>
        {
            ["AWS_CONFIG_FILE"] = empty, ["AWS_SHARED_CREDENTIALS_FILE"] = empty, ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                     "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI" })
            env[name] = null!;   // unset in the child
        return env;
    }

    [Theory]
    [InlineData("inspect")]
    [InlineData("scan --verify")]
    [InlineData("plan")]
    public void A_command_that_asks_aws_says_in_one_line_that_there_are_no_credentials(string command)
    {
        var id = _fake.KeyId();
        _dir.Write("app/settings.ini", $"aws_access_key_id = {id}\naws_secret_access_key = {_fake.Secret()}\n");
        string[] args = command switch
        {
            "inspect" => ["inspect", id],
            "scan --verify" => ["scan", "app", "--verify", "--no-progress"],
            _ => ["plan", "app", "--no-progress"],
        };

        // Nothing listens on port 9: even a credential found by mistake would reach nothing.
        var run = KeyGuardProcess.Run(_dir.Path, null, NoCredentials(), [.. args, "--endpoint-url", "http://127.0.0.1:9/"]);

        Assert.True(run.ExitCode == 4, run.ToString());
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("credentials"));
        Assert.Contains("could not resolve AWS credentials", line);
        Assert.Contains("AWS_PROFILE", line);
        Assert.DoesNotContain("Exception", run.Stderr);
        Assert.True(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 2, run.ToString());
    }
}
