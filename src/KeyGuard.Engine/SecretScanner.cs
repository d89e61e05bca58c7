using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Sources;

namespace KeyGuard;

/// <summary>
/// The engine's front door: finds AWS credentials in text or bytes with KeyGuard's built-in detectors (and, if you
/// give them, rule files in the <c>patterns/*.rules</c> format). Build one and reuse it: building compiles the rules;
/// scanning is safe from several threads at once. docs/library.md shows it in use.
/// </summary>
/// <remarks>
/// <see cref="Finding.Secret"/> holds the found text in full, in memory only: print <see cref="Finding.Redacted"/>.
/// Inline <c>keyguard:allow</c> markers are honoured here; config allowlists and baselines belong to a folder scan
/// (<c>FolderScanner</c> in KeyGuard.Scan).
/// </remarks>
public sealed class SecretScanner
{
    private readonly ContentScanner _scanner;

    private SecretScanner(RuleSet rules) => _scanner = new ContentScanner(new TextScanner(rules));

    /// <summary>The built-in detectors, with the rules that are on by default.</summary>
    public static SecretScanner CreateDefault() => new(RuleSet.Default());

    /// <summary>The built-in detectors plus the rules in <paramref name="ruleFiles"/>.</summary>
    /// <param name="enableRules">Rules that are off by default to turn on (e.g. <c>generic-high-entropy</c>).</param>
    /// <param name="disableRules">Rules to turn off.</param>
    /// <exception cref="InvalidInputException">A rule file cannot be read or parsed, or a rule id is unknown.</exception>
    public static SecretScanner Create(IEnumerable<string> ruleFiles, IEnumerable<string>? enableRules = null, IEnumerable<string>? disableRules = null) =>
        new(RuleSet.Load(ruleFiles, enableRules ?? [], disableRules ?? []));

    /// <summary>Finds the credentials in <paramref name="text"/>; <paramref name="name"/> is the path findings carry.</summary>
    public IReadOnlyList<Finding> Scan(string text, string name = "<text>")
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<Finding>();
        _scanner.ScanText(text, new Provenance(name, SourceKind.Stdin), found);
        return InOrder(found);
    }

    /// <summary>
    /// Finds the credentials in a file's bytes, of any size: UTF-8, UTF-16 and UTF-32 (with or without a byte-order
    /// mark) and Latin-1 are decoded; binary content gives no findings.
    /// </summary>
    public IReadOnlyList<Finding> Scan(byte[] content, string name = "<bytes>")
    {
        ArgumentNullException.ThrowIfNull(content);
        var found = new List<Finding>();
        _scanner.ScanWhole(new ArraySegment<byte>(content), new Provenance(name, SourceKind.File), found);
        return InOrder(found);
    }

    /// <summary>Reads <paramref name="content"/> to its end in bounded chunks and finds the credentials in it, as <see cref="Scan(byte[], string)"/> does.</summary>
    public IReadOnlyList<Finding> Scan(Stream content, string name = "<stream>")
    {
        ArgumentNullException.ThrowIfNull(content);
        var found = new List<Finding>();
        _scanner.Scan(content, new Provenance(name, SourceKind.File), found);
        return InOrder(found);
    }

    private static List<Finding> InOrder(List<Finding> found)
    {
        found.Sort((a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Column.CompareTo(b.Column));
        return found;
    }
}
