using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using KeyGuard.Aws;
using KeyGuard.Enrichment;
using KeyGuard.Findings;

namespace KeyGuard.Cli.Commands;

/// <summary>
/// keyguard inspect KEYID...: who owns each key, is it active, when was it last used (docs/aws.md).
/// Exit 0 when every key was looked up, 4 when an AWS call failed (for the run or for any key), 2 on usage errors.
/// </summary>
internal static class InspectCommand
{
    /// <summary>Environment variables the live check reads the found secret from: never a command-line argument (shell history, ps).</summary>
    public const string SecretVariable = "KEYGUARD_FOUND_SECRET_ACCESS_KEY";
    public const string SessionTokenVariable = "KEYGUARD_FOUND_SESSION_TOKEN";

    public static Command Create()
    {
        var command = new Command("inspect", "Ask IAM, with your own credentials, who owns found AWS access key IDs and whether they are active.");
        var keyIds = new Argument<string[]>("KEYID") { Description = "Access key IDs (AKIA…, ASIA…).", Arity = ArgumentArity.OneOrMore };
        var aws = AwsOptions.AddTo(command);
        var format = new Option<string>("--format", "-f") { Description = "Output format: text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var verifyLive = new Option<bool>("--verify-live")
        {
            Description = $"Also call sts:GetCallerIdentity SIGNED WITH THE FOUND KEY (one KEYID; secret from ${SecretVariable}, token from ${SessionTokenVariable}). Logged in the owner's CloudTrail.",
        };
        var allowCanary = new Option<bool>("--allow-canary") { Description = "Let --verify-live sign with keys of known canary-token accounts (this alerts whoever planted them)." };
        var allowOthers = new Option<bool>("--allow-other-accounts") { Description = "Let --verify-live sign with a key IAM does not confirm as your account's (another account's, or unknown): that uses someone else's credential." };
        var recentDays = new Option<int>("--recent-days") { Description = "An active key used within this many days is critical.", DefaultValueFactory = _ => 30 };
        command.Arguments.Add(keyIds);
        var output = new Option<string?>("--output", "-o") { HelpName = "FILE", Description = "Write the result to FILE (created 0600) instead of standard output." };
        command.Options.Add(format);
        command.Options.Add(output);
        command.Options.Add(verifyLive);
        command.Options.Add(allowCanary);
        command.Options.Add(allowOthers);
        command.Options.Add(recentDays);

        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await RunAsync(parse, keyIds, aws, format, output, verifyLive, allowCanary, allowOthers, recentDays, cancellationToken);
            }
            catch (InvalidInputException e)
            {
                // Handled here: System.CommandLine's default handler would print a stack trace.
                await Console.Error.WriteLineAsync($"keyguard: {e.Message}");
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Argument<string[]> keyIds, AwsOptions aws, Option<string> format, Option<string?> output,
        Option<bool> verifyLive, Option<bool> allowCanary, Option<bool> allowOthers, Option<int> recentDays, CancellationToken cancellationToken)
    {
        var ids = parse.GetValue(keyIds) ?? [];
        foreach (var id in ids)
            if (!AccessKeyId.IsWellFormed(id))
                throw new InvalidInputException($"'{id}' is not an AWS access key ID (expected AKIA/ASIA/ABIA/ACCA and 16 characters A-Z, 2-7)");
        var found = ReadFoundKeys(ids, parse.GetValue(verifyLive));
        var sessionOptions = aws.Read(parse);

        try
        {
            using var lookup = KeyLookup.Open(sessionOptions, new EnrichmentOptions { RecentUseDays = parse.GetValue(recentDays) },
                parse.GetValue(verifyLive) ? new LiveCheckPolicy(Console.Error, parse.GetValue(allowCanary), parse.GetValue(allowOthers)) : null);
            var enricher = lookup.Enricher;
            var facts = await enricher.EnrichAsync(found, cancellationToken);
            var me = await enricher.OperatorAsync();
            var text = parse.GetValue(format) == "json" ? InspectJson.Render(me, facts) : KeyFactsText.Render(me, facts);
            if (parse.GetValue(output) is { } file)
            {
                try { SecureFile.WriteAllText(file, text, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false)); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"--output: cannot write '{file}': {e.Message}"); }
            }
            else Console.Out.Write(text);
            return facts.Any(f => f.Error != null) ? ExitCodes.AwsError : ExitCodes.Clean;
        }
        catch (Exception e) when (e is IamException or AwsConfigurationException)
        {
            await Console.Error.WriteLineAsync($"keyguard: {e.Message}");
            return ExitCodes.AwsError;
        }
    }

    private static IReadOnlyList<FoundKey> ReadFoundKeys(string[] ids, bool verifyLive)
    {
        if (!verifyLive) return ids.Select(id => new FoundKey(id)).ToList();
        if (ids.Length != 1)
            throw new InvalidInputException($"--verify-live checks exactly one KEYID (its secret comes from ${SecretVariable})");
        string? secret = Environment.GetEnvironmentVariable(SecretVariable);
        if (string.IsNullOrEmpty(secret))
            throw new InvalidInputException($"--verify-live needs the found secret in the environment variable {SecretVariable}");
        return [new FoundKey(ids[0], secret, NullIfEmpty(Environment.GetEnvironmentVariable(SessionTokenVariable)))];
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}

/// <summary>Human-readable inspect output: one block per key.</summary>
internal static class KeyFactsText
{
    public static string Render(CallerIdentity me, IReadOnlyList<KeyFacts> facts)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"operator: {me.Arn} (account {me.Account})");
        foreach (var f in facts)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"{f.KeyId}  [{KeyFactsJson.SeverityName(f.Severity)}]");
            string ownership = f.Ownership == Ownership.OtherAccount ? "another account" : KeyFactsJson.OwnershipName(f.Ownership);
            sb.AppendLine(CultureInfo.InvariantCulture, $"  account     {f.Account ?? "unknown"} ({ownership}{(f.CanarySource is { } c ? $", {c} canary account" : "")})");
            if (f.UserName != null) sb.AppendLine(CultureInfo.InvariantCulture, $"  owner       {f.UserName}");
            if (f.Ownership == Ownership.Ours)
            {
                string created = f.CreateDate is { } cd ? $", created {Day(cd)} ({f.AgeDays} days ago)" : "";
                sb.AppendLine(CultureInfo.InvariantCulture, $"  status      {KeyFactsJson.StatusName(f.Status)}{created}");
                string lastUsed = f.LastUsedDate is { } lu ? $"{Day(lu)} {f.LastUsedService ?? ""} {f.LastUsedRegion ?? ""}".TrimEnd() : "never (or no data)";
                if (f.Status != KeyStatus.Unknown) sb.AppendLine(CultureInfo.InvariantCulture, $"  last used   {lastUsed}");
                if (f.QuarantinePolicyAttached) sb.AppendLine(CultureInfo.InvariantCulture, $"  quarantine  {string.Join(", ", f.QuarantinePolicies)}");
            }
            if (f.LiveCheck.Result != LiveCheckResult.NotRequested)
                sb.AppendLine(CultureInfo.InvariantCulture, $"  live check  {KeyFactsJson.LiveName(f.LiveCheck.Result)}{(f.LiveCheck.Arn ?? f.LiveCheck.Message) switch { null => "", var d => $": {d}" }}");
            if (f.Error != null) sb.AppendLine(CultureInfo.InvariantCulture, $"  error       {f.Error}");
        }
        return sb.ToString();
    }

    private static string Day(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>Machine-readable inspect output: the operator, then each key in the one JSON shape of key facts (docs/aws.md).</summary>
internal static class InspectJson
{
    public static string Render(CallerIdentity me, IReadOnlyList<KeyFacts> facts) =>
        JsonSerializer.Serialize(new InspectDocument(new OperatorDocument(me.Account, me.Arn), facts.Select(KeyFactsJson.Document).ToList()),
            CliJsonContext.Default.InspectDocument) + Environment.NewLine;
}

internal sealed record InspectDocument(OperatorDocument Operator, IReadOnlyList<KeyFactsDocument> Keys);

internal sealed record OperatorDocument(string Account, string Arn);

/// <summary>Source-generated (AOT-safe) serialisation of the CLI's own documents.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(InspectDocument))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
