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

        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        w.WriteString("version", "2.1.0");
        w.WriteStartArray("runs");
        w.WriteStartObject();
        w.WriteStartObject("tool");
        w.WriteStartObject("driver");
        w.WriteString("name", "KeyGuard");
        w.WriteString("version", ReportOptions.ToolVersion);
        w.WriteString("semanticVersion", ReportOptions.ToolVersion);
        w.WriteStartArray("rules");
        foreach (var r in rules)
        {
            w.WriteStartObject();
            w.WriteString("id", r.Id);
            w.WriteString("name", Pascal(r.Id));
            w.WriteStartObject("shortDescription"); w.WriteString("text", r.Title); w.WriteEndObject();
            w.WriteStartObject("fullDescription"); w.WriteString("text", r.Description.Length > 0 ? r.Description : r.Title); w.WriteEndObject();
            var help = RuleHelp.For(r.Id);
            if (help.Uri != null) w.WriteString("helpUri", help.Uri);
            // GitHub code scanning shows `help` as the alert's rule help (Microsoft's GH2012 check wants it).
            w.WriteStartObject("help"); w.WriteString("text", help.Text); w.WriteString("markdown", help.Markdown); w.WriteEndObject();
            w.WriteStartObject("defaultConfiguration"); w.WriteString("level", Level(r.Severity)); w.WriteEndObject();
            w.WriteStartObject("properties");
            w.WriteStartArray("tags"); w.WriteStringValue("security"); w.WriteStringValue("secret"); w.WriteEndArray();
            w.WriteString("security-severity", SecuritySeverity(r.Severity));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("results");
        foreach (var f in result.Findings) WriteResult(w, f, index, options.ShowSecrets);
        w.WriteEndArray();
        w.WriteStartArray("invocations");
        w.WriteStartObject();
        w.WriteBoolean("executionSuccessful", result.Errors.Count == 0);
        w.WriteStartArray("toolExecutionNotifications");
        foreach (var e in result.Errors)
        {
            w.WriteStartObject();
            w.WriteString("level", "error");
            w.WriteStartObject("message"); w.WriteString("text", $"{e.Path}: {e.Message}"); w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n'); // a text file ends with a newline (diffs, cat, shell prompts)
    }

    private static void WriteResult(Utf8JsonWriter w, Finding f, Dictionary<string, int> index, bool showSecrets)
    {
        w.WriteStartObject();
        w.WriteString("ruleId", f.RuleId);
        if (index.TryGetValue(f.RuleId, out var i)) w.WriteNumber("ruleIndex", i);
        w.WriteString("level", Level(f.Severity));
        var what = f.KeyId != null && f.Role != CredentialRole.KeyId ? $"{f.RuleTitle} (key {f.KeyId})" : f.RuleTitle;
        w.WriteStartObject("message"); w.WriteString("text", $"{what}: {f.Display(showSecrets)}"); w.WriteEndObject();
        w.WriteStartArray("locations");
        w.WriteStartObject();
        w.WriteStartObject("physicalLocation");
        w.WriteStartObject("artifactLocation"); w.WriteString("uri", Uri(f.Path)); w.WriteEndObject();
        w.WriteStartObject("region");
        w.WriteNumber("startLine", f.Line);
        w.WriteNumber("startColumn", f.Column);
        w.WriteNumber("endLine", f.Line);
        w.WriteNumber("endColumn", f.EndColumn);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("partialFingerprints");
        w.WriteString("keyguard/v1", f.Fingerprint);
        w.WriteEndObject();
        w.WriteStartObject("properties");
        w.WriteString("severity", f.Severity);
        if (f.KeyId != null) w.WriteString("keyId", f.KeyId);
        if (f.Account != null) w.WriteString("account", f.Account);
        if (f.KeyKind != null) w.WriteString("keyKind", f.KeyKind);
        if (f.Source.Commit != null) w.WriteString("commit", f.Source.Commit);
        if (f.Enrichment is { } facts)
            foreach (var (k, v) in facts) { w.WritePropertyName("aws." + k); JsonReporter.WriteValue(w, v); }
        w.WriteEndObject();
        w.WriteEndObject();
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
