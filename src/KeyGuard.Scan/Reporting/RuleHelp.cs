using KeyGuard.Detection.Detectors;

namespace KeyGuard.Reporting;

/// <summary>
/// What to do about a finding of each built-in rule, for reports that carry rule help (SARIF <c>help</c>/<c>helpUri</c>,
/// GitLab's <c>solution</c>). User rules get the generic text and no link.
/// </summary>
internal static class RuleHelp
{
    /// <param name="Summary">What was found and why it matters, one or two sentences of plain text.</param>
    public sealed record Help(string Summary, string Text, string Markdown, string? Uri);

    private const string Suppress =
        "If the value is a test fixture, mark the line with `keyguard:allow` or record it with `keyguard baseline create`.";

    private static readonly Guidance Generic = new(
        "A value matching a credential rule was committed.",
        ["Rotate the credential with whoever issued it, and remove it from the code."],
        null);

    /// <summary>The built-in detector's guidance; user rules (and detectors without any) get the generic text.</summary>
    public static Help For(string ruleId)
    {
        var guidance = BuiltInDetectors.All.FirstOrDefault(d => d.Id == ruleId)?.Guidance ?? Generic;
        return Make(guidance.Summary, guidance.Steps, guidance.Uri);
    }

    private static Help Make(string what, IReadOnlyList<string> steps, string? uri)
    {
        var text = (what + " " + string.Join(" ", steps) + " " + Suppress).Replace("`", "");
        var markdown = what + "\n\n" + string.Concat(steps.Select((s, i) => $"{i + 1}. {s}\n")) + "\n" + Suppress +
                       (uri != null ? $"\n\nSee [{uri}]({uri})." : "");
        return new Help(what, text, markdown, uri);
    }
}
