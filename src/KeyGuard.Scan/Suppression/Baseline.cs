using System.Text.Json;
using KeyGuard.Findings;
using KeyGuard.Reporting;

namespace KeyGuard.Suppression;

/// <summary>
/// A baseline file records accepted findings so a scan reports only new ones. It stores hashes, never plaintext;
/// moving code does not churn it. Entries no longer seen are reported so the file can be pruned.
/// </summary>
internal sealed class Baseline
{
    public IReadOnlyList<BaselineEntry> Entries { get; }
    private readonly HashSet<string> _fingerprints;

    public Baseline(IEnumerable<BaselineEntry> entries)
    {
        Entries = entries.DistinctBy(e => e.Fingerprint).OrderBy(e => e.Rule, StringComparer.Ordinal).ThenBy(e => e.Fingerprint, StringComparer.Ordinal).ToList();
        _fingerprints = Entries.Select(e => e.Fingerprint).ToHashSet();
    }

    public static Baseline FromFindings(IEnumerable<Finding> findings) =>
        new(findings.Select(f => new BaselineEntry(f.Fingerprint, f.RuleId, f.KeyId, f.Path)));

    /// <summary>This baseline's entries, every one kept as it is, plus entries for findings it does not hold yet.</summary>
    public Baseline With(IEnumerable<Finding> findings) =>
        new(Entries.Concat(FromFindings(findings).Entries.Where(e => !_fingerprints.Contains(e.Fingerprint))));

    public bool Contains(Finding f) => _fingerprints.Contains(f.Fingerprint);

    /// <summary>Entries none of <paramref name="all"/> matched, among those <paramref name="inScope"/> says were scanned.</summary>
    public IEnumerable<BaselineEntry> Unseen(IEnumerable<Finding> all, Func<BaselineEntry, bool>? inScope = null)
    {
        var seen = all.Select(f => f.Fingerprint).ToHashSet();
        return Entries.Where(e => !seen.Contains(e.Fingerprint) && (inScope == null || inScope(e)));
    }

    /// <summary>
    /// Whether an entry's file lies within <paramref name="roots"/> (a scan of some paths cannot tell whether secrets
    /// elsewhere are gone). Relative entry paths are read from the baseline's folder, where <c>baseline create</c>
    /// usually runs (the repository root), so a scan from a subfolder still places them. Stdin ("-") holds the entries
    /// named <paramref name="stdinName"/>; an entry without a path is always in scope.
    /// </summary>
    public static Func<BaselineEntry, bool> Scanned(IReadOnlyList<string> roots, string stdinName, string? baselinePath)
    {
        var fullRoots = roots.Where(r => r != "-").Select(r => System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(r))).ToList();
        bool stdin = roots.Contains("-");
        var baselineDir = baselinePath != null ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(baselinePath))! : Environment.CurrentDirectory;
        bool Within(string full) => fullRoots.Any(r => full == r || full.StartsWith(r.EndsWith('/') ? r : r + "/", StringComparison.Ordinal));
        return e =>
        {
            if (e.Path.Length == 0) return true;
            if (stdin && e.Path == stdinName) return true;
            return Within(System.IO.Path.GetFullPath(e.Path, baselineDir));
        };
    }

    /// <summary>Writes the whole file or nothing (temporary file, then rename), mode 0600.</summary>
    public void Save(string path) => SecureFile.WriteAtomically(path, Write);

    private void Write(Stream stream)
    {
        var entries = Entries.Select(e => new BaselineEntryDocument
        {
            Fingerprint = e.Fingerprint, Rule = e.Rule, KeyId = e.KeyId, Path = e.Path,
            Extra = e.Extra.Count > 0 ? new Dictionary<string, JsonElement>(e.Extra) : null,
        }).ToList();
        var doc = new BaselineDocument(1, "KeyGuard baseline: accepted findings keyed on sha256(rule:secret). Never holds plaintext secrets.", entries);
        JsonSerializer.Serialize(stream, doc, ScanJsonContext.Default.BaselineDocument);
        stream.WriteByte((byte)'\n'); // a text file ends with a newline (diffs, cat, shell prompts)
    }

    public static Baseline Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"--baseline: {path}: file not found");
        BaselineDocument? doc;
        try { doc = JsonSerializer.Deserialize(File.ReadAllBytes(path), ScanJsonContext.Default.BaselineDocument); }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path}: not a valid KeyGuard baseline: {e.Message.Split('.')[0]}");
        }
        if (doc?.Version != 1) throw new InvalidInputException($"{path}: not a KeyGuard baseline (version 1)");
        if (doc.Entries == null) throw new InvalidInputException($"{path}: not a valid KeyGuard baseline: it has no 'entries'");
        var entries = new List<BaselineEntry>();
        int i = 0;
        foreach (var e in doc.Entries)
        {
            i++;
            string Required(string? value, string name) => value ?? throw new InvalidInputException($"{path}: entry {i} has no '{name}'");
            if (e == null) throw new InvalidInputException($"{path}: entry {i} has no 'fingerprint'");
            entries.Add(new BaselineEntry(Required(e.Fingerprint, "fingerprint"), Required(e.Rule, "rule"), e.KeyId, e.Path ?? "")
            {
                Extra = e.Extra ?? new Dictionary<string, JsonElement>(),
            });
        }
        return new Baseline(entries);
    }
}
