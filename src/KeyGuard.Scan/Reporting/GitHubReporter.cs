using System.Text;
using KeyGuard.Findings;
using KeyGuard.Scanning;

namespace KeyGuard.Reporting;

/// <summary>
/// GitHub Actions workflow commands: one <c>::error file=…,line=…,col=…,endColumn=…,title=…::message</c> per finding,
/// which GitHub shows as an annotation on the file and line. The message names the rule, the key ID where there is
/// one, and the fingerprint, never the secret (not even with --show-secrets: workflow logs are widely readable).
/// Escaping follows GitHub's rules for workflow commands: in the message %, CR and LF; in property values also : and ,.
/// </summary>
internal sealed class GitHubReporter : IScanReporter
{
    public void Write(ScanResult result, Stream output, ReportOptions options)
    {
        var w = new StreamWriter(output, new UTF8Encoding(false)) { NewLine = "\n" };
        foreach (var f in result.Findings) w.WriteLine(Annotation(f));
        foreach (var e in result.Errors)
            w.WriteLine($"::error title={Property("KeyGuard: could not scan")}::{Data($"{e.Path}: {e.Message}")}");
        w.Flush();
    }

    public static string Annotation(Finding f)
    {
        var command = Level(f.Severity);
        var props = new StringBuilder();
        props.Append("file=").Append(Property(f.Path));
        props.Append(",line=").Append(f.Line).Append(",endLine=").Append(f.Line);
        props.Append(",col=").Append(f.Column).Append(",endColumn=").Append(f.EndColumn);
        props.Append(",title=").Append(Property($"KeyGuard: {f.RuleTitle}"));
        var message = new StringBuilder(f.RuleTitle);
        if (f.KeyId != null) message.Append(" (key ").Append(f.KeyId).Append(')');
        if (f.Account != null) message.Append(", account ").Append(f.Account);
        if (f.Source.Commit != null) message.Append(", in commit ").Append(f.Source.Commit[..Math.Min(12, f.Source.Commit.Length)]);
        message.Append(". Severity ").Append(f.Severity).Append(", fingerprint ").Append(f.Fingerprint).Append('.');
        message.Append('\n').Append(RuleHelp.For(f.RuleId).Summary).Append(" Rotate it: keyguard inspect / keyguard plan.");
        return $"::{command} {props}::{Data(message.ToString())}";
    }

    private static string Level(string severity) => severity switch
    {
        "critical" or "high" => "error",
        "medium" => "warning",
        _ => "notice",
    };

    /// <summary>A command's message: % first, then CR and LF.</summary>
    public static string Data(string s) => s.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

    /// <summary>A command's property value: as a message, and also : and ,.</summary>
    public static string Property(string s) => Data(s).Replace(":", "%3A").Replace(",", "%2C");
}
