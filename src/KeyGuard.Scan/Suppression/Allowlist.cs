using System.Text.RegularExpressions;
using KeyGuard.Findings;
using Microsoft.Extensions.FileSystemGlobbing;

namespace KeyGuard.Suppression;

/// <summary>
/// Config allowlist: regexes on the secret or on its line, and path globs. Line regexes need the line text, so the
/// caller passes a way to fetch it (the file is read again only for findings, which are few).
/// </summary>
internal sealed class Allowlist
{
    private readonly List<Regex> _secrets;
    private readonly List<Regex> _lines;
    private readonly Matcher? _paths;

    public Allowlist(IEnumerable<string> secrets, IEnumerable<string> lines, IEnumerable<string> paths, string origin)
    {
        _secrets = secrets.Select(s => Compile(s, origin, "allowlist.secrets")).ToList();
        _lines = lines.Select(s => Compile(s, origin, "allowlist.lines")).ToList();
        var globs = paths.ToList();
        if (globs.Count > 0)
        {
            _paths = new Matcher(StringComparison.Ordinal);
            _paths.AddIncludePatterns(globs);
        }
    }

    public bool IsEmpty => _secrets.Count == 0 && _lines.Count == 0 && _paths == null;
    public bool HasLineRules => _lines.Count > 0;

    private static Regex Compile(string pattern, string origin, string key)
    {
        try { return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)); }
        catch (ArgumentException e) { throw new InvalidInputException($"{origin}: bad regex in {key} '{pattern}': {e.Message}"); }
    }

    public bool AllowsPath(string relativePath) => _paths != null && _paths.Match(relativePath.Replace('\\', '/')).HasMatches;

    public bool Allows(Finding f, string? lineText)
    {
        if (AllowsPath(f.Path)) return true;
        foreach (var r in _secrets) if (r.IsMatch(f.Secret)) return true;
        if (lineText != null) foreach (var r in _lines) if (r.IsMatch(lineText)) return true;
        return false;
    }
}
