using System.Xml;
using KeyGuard.Findings;
using KeyGuard.Scanning;

namespace KeyGuard.Reporting;

/// <summary>
/// JUnit XML (the Ant/Surefire shape GitLab, Jenkins and Azure DevOps read): one test suite, one failing test case per
/// finding (classname = path, name = rule and line), one erroring case per scan error, and one passing case when the scan
/// found nothing, so a clean run still shows as a passed test. Secrets are redacted unless --show-secrets.
/// </summary>
internal sealed class JUnitReporter : IScanReporter
{
    public void Write(ScanResult result, Stream output, ReportOptions options)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false), NewLineChars = "\n" };
        int tests = Math.Max(1, result.Findings.Count + result.Errors.Count);
        string seconds = (result.Stats.DurationMs / 1000.0).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
        using (var w = XmlWriter.Create(output, settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("testsuites");
            w.WriteAttributeString("name", "keyguard");
            w.WriteAttributeString("tests", tests.ToString());
            w.WriteAttributeString("failures", result.Findings.Count.ToString());
            w.WriteAttributeString("errors", result.Errors.Count.ToString());
            w.WriteAttributeString("time", seconds);
            w.WriteStartElement("testsuite");
            w.WriteAttributeString("name", "keyguard scan");
            w.WriteAttributeString("tests", tests.ToString());
            w.WriteAttributeString("failures", result.Findings.Count.ToString());
            w.WriteAttributeString("errors", result.Errors.Count.ToString());
            w.WriteAttributeString("skipped", "0");
            w.WriteAttributeString("time", seconds);
            w.WriteAttributeString("timestamp", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss"));
            foreach (var f in result.Findings)
            {
                w.WriteStartElement("testcase");
                w.WriteAttributeString("classname", Clean(f.Path));
                w.WriteAttributeString("name", Clean($"{f.RuleId} at line {f.Line}"));
                w.WriteAttributeString("file", Clean(f.Path));
                w.WriteAttributeString("line", f.Line.ToString());
                w.WriteAttributeString("time", "0");
                w.WriteStartElement("failure");
                var what = f.KeyId != null && f.Role != CredentialRole.KeyId ? $"{f.RuleTitle} (key {f.KeyId})" : f.RuleTitle;
                w.WriteAttributeString("message", Clean($"{what} at {f.Path}:{f.Line}:{f.Column}"));
                w.WriteAttributeString("type", f.RuleId);
                var body = $"{what}: {f.Display(options.ShowSecrets)}\nseverity: {f.Severity}\nfingerprint: {f.Fingerprint}\n" +
                           (f.Source.Commit != null ? $"commit: {f.Source.Commit}\n" : "") + RuleHelp.For(f.RuleId).Text;
                w.WriteString(Clean(body));
                w.WriteEndElement();
                w.WriteEndElement();
            }
            foreach (var e in result.Errors)
            {
                w.WriteStartElement("testcase");
                w.WriteAttributeString("classname", Clean(e.Path));
                w.WriteAttributeString("name", "scan error");
                w.WriteAttributeString("time", "0");
                w.WriteStartElement("error");
                w.WriteAttributeString("message", Clean(e.Message));
                w.WriteAttributeString("type", "scan-error");
                w.WriteEndElement();
                w.WriteEndElement();
            }
            if (tests == 1 && result.Findings.Count + result.Errors.Count == 0)
            {
                w.WriteStartElement("testcase");
                w.WriteAttributeString("classname", "keyguard");
                w.WriteAttributeString("name", "no AWS credentials found");
                w.WriteAttributeString("time", seconds);
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        output.WriteByte((byte)'\n');
    }

    /// <summary>XML 1.0 cannot hold most control characters (a file name can): they become U+FFFD.</summary>
    private static string Clean(string s) =>
        string.Create(s.Length, s, (span, src) =>
        {
            for (int i = 0; i < src.Length; i++)
            {
                char c = src[i];
                bool ok = c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
                          (char.IsHighSurrogate(c) && i + 1 < src.Length && char.IsLowSurrogate(src[i + 1])) ||
                          (char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(src[i - 1]));
                span[i] = ok ? c : '\uFFFD';
            }
        });
}
