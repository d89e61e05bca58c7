using System.Text.Json;
using KeyGuard.Findings;
using KeyGuard.Scanning;

namespace KeyGuard.Reporting;

/// <summary>The versioned JSON contract documented in docs/json-output.md. Field names are stable.</summary>
internal sealed class JsonReporter : IScanReporter
{
    public void Write(ScanResult result, Stream output, ReportOptions options)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteStartObject("tool");
        w.WriteString("name", "keyguard");
        w.WriteString("version", ReportOptions.ToolVersion);
        w.WriteEndObject();
        w.WriteStartArray("findings");
        foreach (var f in result.Findings) WriteFinding(w, f, options.ShowSecrets);
        w.WriteEndArray();
        w.WriteStartArray("errors");
        foreach (var e in result.Errors)
        {
            w.WriteStartObject();
            w.WriteString("path", e.Path);
            w.WriteString("message", e.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (result.BaselineUnseen.Count > 0)
        {
            w.WriteStartArray("baselineUnseen");
            foreach (var b in result.BaselineUnseen)
            {
                w.WriteStartObject();
                w.WriteString("fingerprint", b.Fingerprint);
                w.WriteString("rule", b.Rule);
                if (b.KeyId != null) w.WriteString("keyId", b.KeyId);
                w.WriteString("path", b.Path);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        var s = result.Stats;
        w.WriteStartObject("stats");
        w.WriteNumber("findings", result.Findings.Count);
        w.WriteNumber("errors", result.Errors.Count);
        w.WriteNumber("filesScanned", s.FilesScanned);
        w.WriteNumber("bytesScanned", s.BytesScanned);
        w.WriteNumber("binarySkipped", s.BinarySkipped);
        w.WriteNumber("symlinksSkipped", s.SymlinksSkipped);
        if (s.SpecialFilesSkipped > 0) w.WriteNumber("specialFilesSkipped", s.SpecialFilesSkipped);
        w.WriteNumber("ignoredByGit", s.IgnoredByGit);
        w.WriteNumber("suppressedInline", s.SuppressedInline);
        w.WriteNumber("suppressedAllowlist", s.SuppressedAllowlist);
        w.WriteNumber("suppressedBaseline", s.SuppressedBaseline);
        if (s.Commits > 0 || s.Blobs > 0)
        {
            w.WriteNumber("commits", s.Commits);
            w.WriteNumber("blobs", s.Blobs);
        }
        w.WriteNumber("durationMs", s.DurationMs);
        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n'); // a text file ends with a newline (diffs, cat, shell prompts)
    }

    public static void WriteFinding(Utf8JsonWriter w, Finding f, bool showSecrets)
    {
        w.WriteStartObject();
        w.WriteString("rule", f.RuleId);
        w.WriteString("title", f.RuleTitle);
        w.WriteString("severity", f.Severity);
        w.WriteString("path", f.Path);
        if (f.Source.PathBytes is { } bytes) w.WriteBase64String("pathBytes", bytes);
        w.WriteNumber("line", f.Line);
        w.WriteNumber("column", f.Column);
        w.WriteNumber("endColumn", f.EndColumn);
        w.WriteString("secret", f.Display(showSecrets));
        w.WriteString("fingerprint", f.Fingerprint);
        if (f.KeyId != null) w.WriteString("keyId", f.KeyId);
        if (f.Account != null) w.WriteString("account", f.Account);
        if (f.KeyKind != null) w.WriteString("keyKind", f.KeyKind);
        if (f.Encoding != null) w.WriteString("encoding", f.Encoding);
        if (f.PairedWith.Count > 0)
        {
            w.WriteStartArray("pairedWith");
            foreach (var p in f.PairedWith) w.WriteStringValue(p);
            w.WriteEndArray();
        }
        w.WriteString("source", ScanReporters.SourceName(f.Source.Kind));
        if (f.Source.Commit != null) w.WriteString("commit", f.Source.Commit);
        if (f.Source.Author != null) w.WriteString("author", f.Source.Author);
        if (f.Source.Email != null) w.WriteString("email", f.Source.Email);
        if (f.Source.Date is { } d) w.WriteString("date", d.ToString("yyyy-MM-ddTHH:mm:ssK"));
        if (f.Occurrences.Count > 0)
        {
            w.WriteStartArray("occurrences");
            foreach (var o in f.Occurrences)
            {
                w.WriteStartObject();
                w.WriteString("path", o.Path);
                w.WriteNumber("line", o.Line);
                if (o.Commit != null) w.WriteString("commit", o.Commit);
                if (o.Author != null) w.WriteString("author", o.Author);
                if (o.Date is { } od) w.WriteString("date", od.ToString("yyyy-MM-ddTHH:mm:ssK"));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (f.Extra is { Count: > 0 } extra)
            foreach (var (k, v) in extra) { w.WritePropertyName(k); WriteValue(w, v); }
        if (f.Facts is { } facts)
        {
            w.WriteStartObject("aws");
            KeyFactsJson.WriteProperties(w, facts);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    internal static void WriteValue(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case double d: w.WriteNumberValue(d); break;
            case DateTimeOffset dto: w.WriteStringValue(dto.ToString("yyyy-MM-ddTHH:mm:ssK")); break;
            case DateTime dt: w.WriteStringValue(dt.ToString("yyyy-MM-ddTHH:mm:ssK")); break;
            case IDictionary<string, object?> map:
                w.WriteStartObject();
                foreach (var (k, x) in map) { w.WritePropertyName(k); WriteValue(w, x); }
                w.WriteEndObject();
                break;
            case IEnumerable<string> list: w.WriteStartArray(); foreach (var x in list) w.WriteStringValue(x); w.WriteEndArray(); break;
            default: w.WriteStringValue(v.ToString()); break;
        }
    }
}
