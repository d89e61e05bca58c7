using System.Text.Encodings.Web;
using System.Text.Json;
using KeyGuard.Compliance;

namespace KeyGuard.Reporting.Iam;

/// <summary>
/// The JSON contract (version 1): {"version","generated","results":[{user,arn,control,controlV5,title,status,severity,evidence,…}],"summary":{…}}.
/// Written field by field with Utf8JsonWriter: fixed order, no reflection (the library is AOT-compatible).
/// </summary>
internal sealed class JsonIamReportWriter : IIamReportWriter
{
    public const int Version = 1;

    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // The output is a file, not HTML: keep "<root_account>" readable instead of \u003C.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void Write(IamComplianceReport report, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            if (report.Account is { } account) json.WriteString("account", account);
            json.WriteString("generated", ReportText.Timestamp(report.Generated));
            json.WriteString("evaluatedAt", ReportText.Timestamp(report.EvaluatedAt));
            WriteThresholds(json, report.Thresholds);
            // Whether the account baseline (section "baseline") was read; an offline report judges credentials only.
            json.WriteBoolean("baselineEvaluated", report.HasBaseline);
            json.WriteStartArray("results");
            for (var i = 0; i < report.Results.Count; i++)
            {
                WriteResult(json, report.Results[i]);
                // Hand finished bytes to the stream now and then, so the writer's own buffer stays small.
                if (i % 512 == 511) json.Flush();
            }
            json.WriteEndArray();
            WriteSummary(json, report.Summary);
            json.WriteEndObject();
        }
        // GetBuffer avoids one more copy of what is ~20 MB for a 10,000-user account.
        output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.WriteLine();
    }

    private static void WriteThresholds(Utf8JsonWriter json, CisOptions options)
    {
        json.WriteStartObject("thresholds");
        json.WriteNumber("maxKeyAgeDays", options.MaxKeyAgeDays);
        json.WriteNumber("maxUnusedDays", options.MaxUnusedDays);
        json.WriteNumber("minPasswordLength", options.MinPasswordLength);
        json.WriteNumber("passwordReuseCount", options.PasswordReuseCount);
        json.WriteNumber("rootUseWindowDays", options.RootUseWindowDays);
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, ComplianceResult result)
    {
        json.WriteStartObject();
        json.WriteString("user", result.User);
        json.WriteString("arn", result.Arn);
        Number(json, "control", result.Control.Control);
        Number(json, "controlV5", result.Control.ControlV5);
        json.WriteString("title", result.Control.Title);
        json.WriteString("section", SectionName(result.Control.Section));
        json.WriteString("status", result.Status.Name());
        json.WriteString("severity", result.Severity.Name());
        json.WriteString("evidence", result.Evidence);
        if (result.KeySlot is { } slot) json.WriteNumber("keySlot", slot);
        else json.WriteNull("keySlot");
        if (result.AgeDays is { } age) json.WriteNumber("ageDays", age);
        else json.WriteNull("ageDays");
        json.WriteString("check", result.Control.ProwlerCheck);
        json.WriteString("remediation", result.Control.Remediation);
        json.WriteEndObject();
    }

    /// <summary>A CIS number; "" when that benchmark version has no such control (the field stays a string).</summary>
    private static void Number(Utf8JsonWriter json, string name, string number) => json.WriteString(name, number);

    public static string SectionName(ControlSection section) => section == ControlSection.Baseline ? "baseline" : "credentials";

    private static void WriteSummary(Utf8JsonWriter json, IamReportSummary summary)
    {
        json.WriteStartObject("summary");
        json.WriteNumber("users", summary.Users);
        json.WriteNumber("pass", summary.Pass);
        json.WriteNumber("fail", summary.Fail);
        json.WriteNumber("notEvaluated", summary.NotEvaluated);
        json.WriteNumber("note", summary.Note);

        json.WriteStartArray("controls");
        foreach (var control in summary.Controls)
        {
            json.WriteStartObject();
            Number(json, "control", control.Control.Control);
            Number(json, "controlV5", control.Control.ControlV5);
            json.WriteString("title", control.Control.Title);
            json.WriteString("section", SectionName(control.Control.Section));
            json.WriteString("severity", control.Control.Severity.Name());
            json.WriteNumber("pass", control.Pass);
            json.WriteNumber("fail", control.Fail);
            json.WriteNumber("notEvaluated", control.NotEvaluated);
            json.WriteNumber("note", control.Note);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartObject("failuresBySeverity");
        foreach (var (severity, count) in summary.FailuresBySeverity) json.WriteNumber(severity.Name(), count);
        json.WriteEndObject();

        json.WriteStartArray("keyAgeDistribution");
        foreach (var bucket in summary.KeyAgeDistribution)
        {
            json.WriteStartObject();
            json.WriteString("bucket", bucket.Label);
            json.WriteNumber("minDays", bucket.MinDays);
            if (bucket.MaxDays is { } max) json.WriteNumber("maxDays", max);
            else json.WriteNull("maxDays");
            json.WriteNumber("count", bucket.Count);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNumber("activeKeysWithoutDate", summary.ActiveKeysWithoutDate);
        json.WriteEndObject();
    }
}
