using System.CommandLine;
using System.Globalization;
using KeyGuard.Aws;
using KeyGuard.Enrichment;
using KeyGuard.Findings;
using KeyGuard.Planning;
using KeyGuard.Reporting;
using KeyGuard.Scanning;

namespace KeyGuard.Cli.Commands;

/// <summary>
/// keyguard plan: joins scan findings with IAM facts (and the credential report) into one plan per key,
/// as JSON for machines or Markdown for people. Deterministic for the same inputs and --now.
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Scan these paths when no --findings file is given (default: .).", Arity = ArgumentArity.ZeroOrMore };
        var findings = new Option<string?>("--findings") { Description = "A scan's JSON report (keyguard scan --format json) instead of a fresh scan." };
        var report = new Option<string?>("--report") { Description = "A credential report CSV: stale and root keys get plans too." };
        var offline = new Option<bool>("--offline") { Description = "Do not call AWS: use the IAM facts already in the findings file (scan --verify), if any." };
        var format = new Option<string>("--format", "-f") { Description = "json or markdown.", DefaultValueFactory = _ => "markdown" };
        format.AcceptOnlyFromAmong("json", "markdown");
        var output = new Option<string?>("--output", "-o") { Description = "Write the plan to FILE." };
        var now = new Option<string?>("--now") { Description = "The time the plan is made for (ISO 8601; default: now). Makes plans reproducible." };
        var maxAge = new Option<int>("--max-key-age") { Description = "Rotate keys older than this many days (CIS 1.14).", DefaultValueFactory = _ => 90 };
        var maxUnused = new Option<int>("--max-unused-days") { Description = "Deactivate keys unused this many days (CIS 1.12).", DefaultValueFactory = _ => 45 };
        var regions = new Option<string[]>("--cloudtrail-region") { Description = "Regions to search CloudTrail in (repeatable; default: the key's last-used region)." };
        var command = new Command("plan", "Write a rotation or deactivation plan for each exposed or stale key.");
        command.Arguments.Add(paths);
        var noBaseline = new Option<bool>("--no-baseline") { Description = "Do not read the account's CloudTrail setup (plans then do not say where the key's activity cannot be reviewed)." };
        foreach (var o in new Option[] { findings, report, offline, format, output, now, maxAge, maxUnused, regions, noBaseline }) command.Options.Add(o);
        var aws = AwsOptions.AddTo(command);
        // A fresh scan reads the config, rules and suppression as `keyguard scan` does (the same options).
        var scan = new ScanOptions();
        scan.AddTo(command);

        command.SetAction(async (p, ct) =>
        {
            var clock = ParseNow(p.GetValue(now));
            var options = new PlanOptions
            {
                Now = clock, MaxKeyAgeDays = p.GetValue(maxAge), MaxUnusedDays = p.GetValue(maxUnused), Regions = p.GetValue(regions) ?? [],
            };
            // The findings stay in memory as the scan made them; only --findings FILE is read from JSON.
            var findingsFile = p.GetValue(findings);
            List<LeakSighting> sightings;
            int scanErrors = 0;
            if (findingsFile != null)
            {
                sightings = LeakReader.Sightings(findingsFile, out var reportErrors);
                // The scan behind the report could not read everything: what it missed has no plan. Said, and exit 3,
                // as for a fresh scan.
                foreach (var (path, message) in reportErrors)
                    Console.Error.WriteLine($"keyguard: {ControlCharacters.Escape(findingsFile)}: the scan could not read {ControlCharacters.Escape(path)}: {ControlCharacters.Escape(message)}");
                scanErrors = reportErrors.Count;
            }
            else
            {
                var roots = p.GetValue(paths) is { Length: > 0 } given ? given : ["."];
                var setup = ScanSetup.Create(scan.Read(p), ScanSetup.ConfigRootFor(roots[0]));
                SetupWarnings.Print(setup.Warnings);
                var result = ScanCommand.Run(setup, roots, "stdin");
                setup.Finish(result);
                // What could not be read has no plan: say so, and exit 3 as scan does, after writing the plans made.
                foreach (var e in result.Errors) Console.Error.WriteLine($"keyguard: {ControlCharacters.Escape(e.Path)}: {ControlCharacters.Escape(e.Message)}");
                scanErrors = result.Errors.Count;
                sightings = result.Findings.Select(LeakSighting.From).ToList();
            }
            var leaks = LeakedKeys.From(sightings, GitFileHistory.FirstSeen);
            var facts = new Dictionary<string, KeyFacts>(StringComparer.Ordinal);
            var reportKeys = p.GetValue(report) is { } csv ? CredentialReportKeys.Load(csv) : [];
            string? operatorKeyId = null;
            if (p.GetValue(offline))
            {
                facts = LeakedKeys.RecordedFacts(sightings);
            }
            else if (leaks.Count > 0 || reportKeys.Count > 0)
            {
                try
                {
                    using var lookup = KeyLookup.Open(aws.Read(p));
                    var (session, iam, enricher) = (lookup.Session, lookup.Iam, lookup.Enricher);
                    foreach (var f in await enricher.EnrichAsync(leaks.Select(l => l.KeyId), ct)) facts[f.KeyId] = f;
                    operatorKeyId = session.SigningKeyId();
                    // Report slots become key IDs, so a stale key joins its leak plan and its steps can be applied.
                    reportKeys = await ReportSlotMatcher.MatchAsync(reportKeys, (user, c) => iam.ListAllAccessKeysAsync(user, c), ct);
                    // Where CloudTrail does not log, a leaked key's activity cannot be reviewed: the plans say so.
                    if (!p.GetValue(noBaseline) && facts.Values.Any(f => f.Ownership == Ownership.Ours))
                        options = await WithCloudTrailGaps(options, session, (await enricher.OperatorAsync()).Account, ct);
                }
                catch (Exception e) when (e is IamException or AwsConfigurationException)
                {
                    Console.Error.WriteLine($"keyguard: {e.Message} (use --offline to plan without IAM)");
                    return ExitCodes.AwsError;
                }
            }
            var plan = Planner.WarnAboutSigningKey(new Planner(options).Build(leaks, facts, reportKeys), operatorKeyId);
            var text = p.GetValue(format) == "json" ? Json(plan) : PlanMarkdown.Render(plan);
            if (p.GetValue(output) is { } file)
            {
                try { SecureFile.WriteAllText(file, text); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"--output: {file}: {e.Message}"); }
                Console.Error.WriteLine($"keyguard: wrote {plan.Plans.Count} plan{(plan.Plans.Count == 1 ? "" : "s")} to {file}");
            }
            else Console.Out.Write(text);
            foreach (var alert in plan.Plans.Where(x => x.Alert != null)) Console.Error.WriteLine($"keyguard: {alert.Alert}");
            return scanErrors > 0 ? ExitCodes.ScanError : ExitCodes.Clean;
        });
        return command;
    }

    private static async Task<PlanOptions> WithCloudTrailGaps(PlanOptions options, AwsSession session, string account, CancellationToken ct)
    {
        try
        {
            var services = session.CreateBaselineServices();
            var baseline = await new KeyGuard.Compliance.Baseline.BaselineCollector(services, new() { CloudTrailOnly = true })
                .CollectAsync($"arn:{services.Partition.Name}:iam::{account}:root", ct);
            return new PlanOptions
            {
                Now = options.Now, MaxKeyAgeDays = options.MaxKeyAgeDays, MaxUnusedDays = options.MaxUnusedDays, RecentUseDays = options.RecentUseDays,
                Regions = options.Regions, RegionsWithoutCloudTrail = baseline.RegionsWithoutCloudTrail,
            };
        }
        catch (Exception e) when (e is IamException or AwsConfigurationException)
        {
            Console.Error.WriteLine($"keyguard: warning: cannot read the account's CloudTrail setup ({e.Message}); plans do not say where activity cannot be reviewed");
            return options;
        }
    }

    private static string Json(PlanDocument plan) => PlanJson.ToText(plan) + "\n";

    internal static DateTimeOffset ParseNow(string? value)
    {
        if (value == null) return DateTimeOffset.UtcNow;
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t : throw new InvalidInputException($"--now: '{value}' is not an ISO 8601 time");
    }
}
