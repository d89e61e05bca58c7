using System.Text.Json;
using KeyGuard.Findings;
using KeyGuard.Scanning;

namespace KeyGuard.Reporting;

/// <summary>SARIF 2.1.0 as GitHub code scanning takes it: driver rules, results with region and partialFingerprints.</summary>
internal sealed class SarifReporter : IScanReporter
{
    public void Write(ScanResult result, Stream output, ReportOptions options)
    {
        var rules = options.Rules.Count > 0
            ? options.Rules.Select(r => (r.Id, r.Title, r.Description, r.Severity)).ToList()
            : result.Findings.Select(f => (Id: f.RuleId, Title: f.RuleTitle, Description: "", f.Severity)).DistinctBy(r => r.Id).ToList();
        var index = rules.Select((r, i) => (r.Id, i)).ToDictionary(x => x.Id, x => x.i);

        var runs = new SarifRun(
            new SarifTool(new SarifDriver("KeyGuard", ReportOptions.ToolVersion, ReportOptions.ToolVersion, rules.Select(Rule).ToList())),
            result.Findings.Select(f => Result(f, index, options.ShowSecrets)),
            [new SarifInvocation(result.Errors.Count == 0,
                result.Errors.Select(e => new SarifNotification("error", new SarifText($"{e.Path}: {e.Message}"))).ToList())]);
        JsonSerializer.Serialize(output, new SarifLog("https://json.schemastore.org/sarif-2.1.0.json", "2.1.0", [runs]), ScanJsonContext.Default.SarifLog);
        output.WriteByte((byte)'\n'); // a text file ends with a newline (diffs, cat, shell prompts)
    }

    private static SarifRule Rule((string Id, string Title, string Description, string Severity) r)
    {
        var help = RuleHelp.For(r.Id);
        // GitHub code scanning shows `help` as the alert's rule help (Microsoft's GH2012 check wants it).
        return new SarifRule(r.Id, Pascal(r.Id), new SarifText(r.Title), new SarifText(r.Description.Length > 0 ? r.Description : r.Title),
            help.Uri, new SarifHelp(help.Text, help.Markdown), new SarifConfiguration(Level(r.Severity)),
            new SarifRuleProperties(["security", "secret"], SecuritySeverity(r.Severity)));
    }

    private static SarifResult Result(Finding f, Dictionary<string, int> index, bool showSecrets)
    {
        var what = f.KeyId != null && f.Role != CredentialRole.KeyId ? $"{f.RuleTitle} (key {f.KeyId})" : f.RuleTitle;
        return new SarifResult(f.RuleId, index.TryGetValue(f.RuleId, out var i) ? i : null, Level(f.Severity),
            new SarifText($"{what}: {f.Display(showSecrets)}"),
            [new SarifLocation(new SarifPhysicalLocation(new SarifArtifactLocation(Uri(f.Path)), new SarifRegion(f.Line, f.Column, f.Line, f.EndColumn)))],
            new SarifFingerprints(f.Fingerprint),
            new SarifResultProperties
            {
                Severity = f.Severity, KeyId = f.KeyId, Account = f.Account, KeyKind = f.KeyKind, Commit = f.Source.Commit,
                Aws = f.Facts is { } facts ? AwsProperties(facts) : null,
            });
    }

    /// <summary>The one JSON shape of key facts, its fields named "aws.keyId", "aws.kind", … in the same order.</summary>
    private static Dictionary<string, JsonElement> AwsProperties(KeyFacts facts)
    {
        var element = JsonSerializer.SerializeToElement(KeyFactsJson.Document(facts), ScanJsonContext.Default.KeyFactsDocument);
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject()) properties.Add("aws." + p.Name, p.Value);
        return properties;
    }

    /// <summary>
    /// The path as a URI reference: its UTF-8 bytes percent-encoded (RFC 3986), all but unreserved characters and the
    /// separators. On Unix a backslash is part of a file name, not a separator: it stays in the name, as %5C.
    /// </summary>
    internal static string Uri(string path)
    {
        var p = Path.DirectorySeparatorChar == '\\' ? path.Replace('\\', '/') : path;
        if (p.StartsWith("./", StringComparison.Ordinal)) p = p[2..];
        var sb = new System.Text.StringBuilder(p.Length + 16);
        // Lone surrogates (names that are not valid UTF-16) become U+FFFD rather than failing the report.
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(p))
        {
            if (b == '/' || char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~') sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static string Pascal(string id) => string.Concat(id.Split('-', '_', '.').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));

    internal static string Level(string severity) => severity switch
    {
        "critical" or "high" => "error",
        "medium" => "warning",
        _ => "note",
    };

    private static string SecuritySeverity(string severity) => severity switch
    {
        "critical" => "9.5",
        "high" => "8.0",
        "medium" => "5.5",
        "low" => "3.0",
        _ => "1.0",
    };
}
