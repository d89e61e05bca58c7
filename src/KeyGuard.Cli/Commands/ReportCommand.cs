using System.CommandLine;
using System.Globalization;
using System.Text;
using KeyGuard.Compliance;
using KeyGuard.Compliance.Baseline;
using KeyGuard.CredentialReport;
using KeyGuard.Reporting.Iam;
using KeyGuard.Findings;

namespace KeyGuard.Cli.Commands;

/// <summary>`keyguard report`: judges the IAM credential report against the CIS IAM controls.</summary>
internal static class ReportCommand
{
    /// <summary>
    /// Makes the IAM client used without --from. Unset until the IAM client is wired in;
    /// the command then asks for --from.
    /// </summary>
    public static Func<ICredentialReportApi>? LiveApiFactory { get; set; }

    /// <summary>
    /// Makes the account-baseline reader used without --from (tests). Unset, it is built from the AWS options, unless
    /// <see cref="LiveApiFactory"/> is set (an in-memory credential report has no account behind it: no baseline).
    /// </summary>
    public static Func<BaselineCollector>? BaselineFactory { get; set; }

    public static Command Create()
    {
        var from = new Option<FileInfo?>("--from") { HelpName = "FILE", Description = "Read a saved credential report CSV instead of calling IAM." };
        var format = new Option<string>("--format", "-f") { Description = "Output format.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "csv", "markdown", "html");
        var output = new Option<FileInfo?>("--output", "-o") { HelpName = "FILE", Description = "Write the report to FILE instead of standard output." };
        var failOn = new Option<string?>("--fail-on") { Description = "Exit 1 when a control fails at or above this severity." };
        failOn.AcceptOnlyFromAmong("critical", "high", "medium", "low");
        var passwordPolicy = new Option<FileInfo?>("--password-policy")
        {
            HelpName = "FILE",
            Description = "Password policy JSON (output of `aws iam get-account-password-policy`) for offline use.",
        };
        var now = new Option<string?>("--now") { HelpName = "ISO-8601", Description = "Evaluate as of this ISO 8601 time (testing).", Hidden = true };
        var defaults = new CisOptions();
        var maxKeyAge = new Option<int>("--max-key-age") { HelpName = "DAYS", Description = "Days before an active key must be rotated (CIS 1.14).", DefaultValueFactory = _ => defaults.MaxKeyAgeDays };
        var maxUnused = new Option<int>("--max-unused-days") { HelpName = "DAYS", Description = "Days unused before a credential must be disabled (CIS 1.12).", DefaultValueFactory = _ => defaults.MaxUnusedDays };
        var minLength = new Option<int>("--min-password-length") { HelpName = "N", Description = "Minimum password length the policy must require (CIS 1.8).", DefaultValueFactory = _ => defaults.MinPasswordLength };
        var reuse = new Option<int>("--password-reuse") { HelpName = "N", Description = "Previous passwords the policy must remember (CIS 1.9).", DefaultValueFactory = _ => defaults.PasswordReuseCount };
        var rootUse = new Option<int>("--root-use-days") { HelpName = "DAYS", Description = "Root use within this many days fails CIS 1.7.", DefaultValueFactory = _ => defaults.RootUseWindowDays };

        var noBaseline = new Option<bool>("--no-baseline")
        {
            Description = "Judge the credential report only; skip the account baseline (CloudTrail, Config, S3 Block Public Access, Access Analyzer, IAM policies).",
        };
        var summaryOnly = new Option<bool>("--summary-only")
        {
            Description = "Only the summary: counts, failures by severity, the per-control table and the key-age chart; no result rows.",
        };
        var top = new Option<int?>("--top")
        {
            HelpName = "N",
            Description = "List the N worst findings of each control and the N worst users, with a count of the rest (JSON and CSV still carry every result).",
        };
        var progress = new Option<bool>("--progress") { Description = "Show progress on stderr even when it is not a terminal (e.g. a CI log)." };
        var noProgress = new Option<bool>("--no-progress") { Description = "No progress on stderr, even on a terminal." };
        var command = new Command("report", "Judge IAM credential hygiene (CIS AWS Foundations IAM controls) from the credential report, and the account baseline next to it.");
        foreach (var option in new Option[] { from, format, output, failOn, passwordPolicy, now, maxKeyAge, maxUnused, minLength, reuse, rootUse, noBaseline, summaryOnly, top, progress, noProgress })
            command.Options.Add(option);
        var aws = AwsOptions.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            // System.CommandLine's default exception handler would print a stack trace and exit 1;
            // a user's mistake must be one line and exit 2.
            try
            {
                return await RunAsync(parseResult, cancellationToken);
            }
            catch (InvalidInputException e)
            {
                Console.Error.WriteLine($"keyguard: {e.Message}");
                return ExitCodes.Usage;
            }
        });
        return command;

        async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
        {
            var thresholds = new CisOptions
            {
                MaxKeyAgeDays = parseResult.GetValue(maxKeyAge),
                MaxUnusedDays = parseResult.GetValue(maxUnused),
                MinPasswordLength = parseResult.GetValue(minLength),
                PasswordReuseCount = parseResult.GetValue(reuse),
                RootUseWindowDays = parseResult.GetValue(rootUse),
            };
            thresholds.Validate();
            var evaluatedAt = ParseNow(parseResult.GetValue(now));
            var reportFormat = IamReportWriters.ParseFormat(parseResult.GetValue(format) ?? "text");
            if (parseResult.GetValue(top) is < 1 and var n)
                throw new InvalidInputException($"--top must be at least 1, got {n}");

            bool offline = parseResult.GetValue(from) is not null;
            using var progressLine = StderrProgress.For(parseResult.GetValue(progress), parseResult.GetValue(noProgress));
            var (report, inputs) = parseResult.GetValue(from) is { } file
                ? LoadFromFile(file, parseResult.GetValue(passwordPolicy))
                : await LoadLiveAsync(LiveApiFactory ?? LiveFromOptions(aws.Read(parseResult)), evaluatedAt, progressLine, cancellationToken);
            if (report is null) return ExitCodes.AwsError;
            // Without --now the evaluation is now, after IAM made the report: judged at the start, a report generated
            // during the run would read "generated" after "evaluated" (and IAM's clock may run ahead of ours).
            if (parseResult.GetValue(now) is null)
                evaluatedAt = Max(DateTimeOffset.UtcNow, report.GeneratedAt);

            IReadOnlyList<ComplianceResult>? baseline = null;
            var baselineFactory = BaselineFactory ?? (LiveApiFactory is null ? BaselineFromOptions(aws.Read(parseResult), progressLine) : null);
            if (!offline && !parseResult.GetValue(noBaseline) && baselineFactory is not null)
            {
                var accountArn = new CisContext(report, inputs!, thresholds, evaluatedAt).AccountArn;
                progressLine.Show("keyguard: reading the account baseline (CloudTrail, Config, S3 Block Public Access, IAM Access Analyzer, IAM policies)");
                try
                {
                    var facts = await baselineFactory().CollectAsync(accountArn, cancellationToken);
                    baseline = BaselineJudge.Judge(facts, evaluatedAt);
                }
                catch (Exception e) when (e is not InvalidInputException and not OperationCanceledException)
                {
                    progressLine.Dispose();
                    Console.Error.WriteLine($"keyguard: AWS error while reading the account baseline: {FirstLine(e.Message)}");
                    return ExitCodes.AwsError;
                }
            }

            progressLine.Dispose();
            var judged = IamReportBuilder.Build(report, inputs!, thresholds, evaluatedAt, baseline) with
            {
                SummaryOnly = parseResult.GetValue(summaryOnly),
                Top = parseResult.GetValue(top),
            };
            WriteOutput(IamReportWriters.Render(judged, reportFormat), parseResult.GetValue(output));

            return parseResult.GetValue(failOn) is { } threshold && judged.HasFailureAtOrAbove(SeverityText.Parse(threshold))
                ? ExitCodes.Findings
                : ExitCodes.Clean;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private static DateTimeOffset ParseNow(string? text)
    {
        if (text is null) return DateTimeOffset.UtcNow;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value.ToUniversalTime()
            : throw new InvalidInputException($"--now '{text}' is not an ISO 8601 time");
    }

    private static (IamCredentialReport, AccountInputs) LoadFromFile(FileInfo file, FileInfo? passwordPolicyFile)
    {
        byte[] content;
        DateTimeOffset generated;
        try
        {
            content = File.ReadAllBytes(file.FullName);
            // A saved file does not carry IAM's GeneratedTime; its modification time is the closest we have.
            generated = new DateTimeOffset(File.GetLastWriteTimeUtc(file.FullName), TimeSpan.Zero);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"cannot read credential report '{file}': {e.Message}");
        }

        IamCredentialReport report;
        try
        {
            report = CredentialReportParser.Parse(content, generated);
        }
        catch (CredentialReportFormatException e)
        {
            throw new InvalidInputException($"{file}: {e.Message}");
        }

        PasswordPolicyLookup? policy = null;
        if (passwordPolicyFile is not null)
        {
            string json;
            try
            {
                json = File.ReadAllText(passwordPolicyFile.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidInputException($"cannot read password policy '{passwordPolicyFile}': {e.Message}");
            }
            policy = PasswordPolicyJson.Parse(json, passwordPolicyFile.ToString());
        }
        return (report, new AccountInputs(policy));
    }

    /// <summary>The IAM client from --profile/--region/--endpoint-url and the SDK's credential chain.</summary>
    private static Func<ICredentialReportApi> LiveFromOptions(KeyGuard.Aws.AwsSessionOptions options) =>
        () => new IamCredentialReportApi(KeyGuard.Aws.AwsSession.Create(options).CreateIamClient());

    /// <summary>The baseline reader from --profile/--region/--endpoint-url (one endpoint override serves every service).</summary>
    private static Func<BaselineCollector> BaselineFromOptions(KeyGuard.Aws.AwsSessionOptions options, StderrProgress progress) =>
        () => new BaselineCollector(KeyGuard.Aws.AwsSession.Create(options).CreateBaselineServices(), new BaselineOptions
        {
            UserPoliciesRead = (_, total) => progress.Step("reading the IAM policies of users", total),
        });

    /// <summary>The 4-hour reuse of a report is judged against the evaluation time (--now), like everything else.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        private readonly DateTimeOffset _start = now;
        private readonly long _started = global::System.Diagnostics.Stopwatch.GetTimestamp();
        public override DateTimeOffset GetUtcNow() => _start + global::System.Diagnostics.Stopwatch.GetElapsedTime(_started);
    }

    private static async Task<(IamCredentialReport?, AccountInputs?)> LoadLiveAsync(Func<ICredentialReportApi> apiFactory, DateTimeOffset evaluatedAt,
        StderrProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            var api = apiFactory();
            progress.Show("keyguard: asking IAM for the credential report");
            var fetcher = new CredentialReportFetcher(api, new FixedClock(evaluatedAt), Task.Delay,
                new CredentialReportFetcherOptions { Waiting = progress.Waiting });
            return await new LiveCredentialReportLoader(api, fetcher).LoadAsync(cancellationToken);
        }
        catch (KeyGuard.Aws.AwsConfigurationException e)
        {
            // The SDK lists every provider it tried over several lines; one line says what to do.
            progress.Dispose();
            Console.Error.WriteLine($"keyguard: {e.Message.Split(": ", 2)[0]} (no usable AWS credentials); set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile, or read a saved report with --from FILE");
            return (null, null);
        }
        catch (CredentialReportFormatException e)
        {
            progress.Dispose();
            Console.Error.WriteLine($"keyguard: IAM returned a credential report KeyGuard cannot read: {FirstLine(e.Message)}");
            return (null, null);
        }
        catch (Exception e) when (e is not InvalidInputException and not OperationCanceledException)
        {
            progress.Dispose();
            Console.Error.WriteLine($"keyguard: AWS error while reading the credential report: {FirstLine(e.Message)}");
            return (null, null);
        }
    }

    /// <summary>An error is one line: the first line of a message, without the colon that introduced the rest.</summary>
    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.TrimEnd(':', ' ');
    }

    private static void WriteOutput(string text, FileInfo? file)
    {
        if (file is null)
        {
            Console.Out.Write(text);
            return;
        }
        try
        {
            SecureFile.WriteAllText(file.FullName, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"cannot write '{file}': {e.Message}");
        }
    }
}
