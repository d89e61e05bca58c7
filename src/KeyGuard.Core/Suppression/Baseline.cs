using System.Text.Json;
using KeyGuard.Findings;

namespace KeyGuard.Suppression;

/// <summary>One accepted finding: keyed on the fingerprint (hash of rule and secret), never on line numbers.</summary>
public sealed record BaselineEntry(string Fingerprint, string Rule, string? KeyId, string Path);

/// <summary>
/// A baseline file records accepted findings so a scan reports only new ones. It stores hashes, never plaintext;
/// moving code does not churn it. Entries no longer seen are reported so the file can be pruned.
/// </summary>
public sealed class Baseline
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

    public bool Contains(Finding f) => _fingerprints.Contains(f.Fingerprint);

    public IEnumerable<BaselineEntry> Unseen(IEnumerable<Finding> all)
    {
        var seen = all.Select(f => f.Fingerprint).ToHashSet();
        return Entries.Where(e => !seen.Contains(e.Fingerprint));
    }

    public void Save(string path)
    {
        using var stream = SecureFile.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteString("note", "KeyGuard baseline: accepted findings keyed on sha256(rule:secret). Never holds plaintext secrets.");
        w.WriteStartArray("entries");
        foreach (var e in Entries)
        {
            w.WriteStartObject();
            w.WriteString("fingerprint", e.Fingerprint);
            w.WriteString("rule", e.Rule);
            if (e.KeyId != null) w.WriteString("keyId", e.KeyId);
            w.WriteString("path", e.Path);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static Baseline Load(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"--baseline: {path}: file not found");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (!root.TryGetProperty("version", out var v) || v.GetInt32() != 1) throw new UsageException($"{path}: not a KeyGuard baseline (version 1)");
            var entries = new List<BaselineEntry>();
            int i = 0;
            foreach (var e in root.GetProperty("entries").EnumerateArray())
            {
                i++;
                string Get(string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String
                    ? p.GetString()! : throw new UsageException($"{path}: entry {i} has no '{name}'");
                entries.Add(new BaselineEntry(Get("fingerprint"), Get("rule"),
                    e.TryGetProperty("keyId", out var k) ? k.GetString() : null,
                    e.TryGetProperty("path", out var p) ? p.GetString() ?? "" : ""));
            }
            return new Baseline(entries);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new UsageException($"{path}: not a valid KeyGuard baseline: {e.Message.Split('.')[0]}");
        }
    }
}
