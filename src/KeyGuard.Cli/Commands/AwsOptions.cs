using System.CommandLine;
using KeyGuard.Aws;

namespace KeyGuard.Cli.Commands;

/// <summary>
/// The AWS options every AWS-using command shares (inspect, scan --verify, report, plan, apply):
/// --profile, --region, --endpoint-url, --sts-endpoint-url.
/// </summary>
internal sealed class AwsOptions
{
    public Option<string?> Profile { get; } = new("--profile") { Description = "AWS profile for the operator's credentials (default: the SDK's credential chain: env, AWS_PROFILE, default profile, SSO, IMDS)." };
    public Option<string?> Region { get; } = new("--region") { Description = "AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION): selects the partition (cn-*, us-gov-*) and the regional STS endpoint. IAM is global." };
    public Option<string?> EndpointUrl { get; } = new("--endpoint-url") { Description = "Override the IAM endpoint (and STS too, unless --sts-endpoint-url is given; and CloudTrail, Config, Access Analyzer, S3 Control and EC2 for the account baseline), e.g. the test emulator. IAM requests stay signed for the partition's region." };
    public Option<string?> StsEndpointUrl { get; } = new("--sts-endpoint-url") { Description = "Override the STS endpoint." };

    public static AwsOptions AddTo(Command command)
    {
        var options = new AwsOptions();
        command.Options.Add(options.Profile);
        command.Options.Add(options.Region);
        command.Options.Add(options.EndpointUrl);
        command.Options.Add(options.StsEndpointUrl);
        return options;
    }

    /// <summary>Reads the options; a malformed URL is a <see cref="InvalidInputException"/>.</summary>
    public AwsSessionOptions Read(ParseResult parse, AwsRetryPolicy? retry = null) => new()
    {
        Profile = parse.GetValue(Profile),
        // Like the AWS CLI, fall back to the environment's region (it decides the partition, e.g. GovCloud).
        Region = parse.GetValue(Region) ?? NonEmpty("AWS_REGION") ?? NonEmpty("AWS_DEFAULT_REGION"),
        EndpointUrl = Url(parse.GetValue(EndpointUrl), "--endpoint-url"),
        StsEndpointUrl = Url(parse.GetValue(StsEndpointUrl), "--sts-endpoint-url"),
        Retry = retry ?? AwsRetryPolicy.Default,
    };

    private static string? NonEmpty(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v ? v : null;

    private static Uri? Url(string? value, string option)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
        throw new InvalidInputException($"{option} must be an absolute http(s) URL, got '{value}'");
    }
}
