using System.Text.Json;

namespace KeyGuard.Config;

/// <summary>
/// .keyguard.json: found at the repository (or scan) root, or named with --config. Paths inside are relative to
/// the file. Unknown keys are errors, so a typo never silently disables a rule.
/// </summary>
internal sealed class KeyGuardConfig
{
    public const string FileName = ".keyguard.json";

    public string? SourcePath { get; init; }
    public List<string> Patterns { get; init; } = [];
    public List<string> EnableRules { get; init; } = [];
    public List<string> DisableRules { get; init; } = [];
    public List<string> Include { get; init; } = [];
    public List<string> Exclude { get; init; } = [];
    public List<string> AllowSecrets { get; init; } = [];
    public List<string> AllowLines { get; init; } = [];
    public List<string> AllowPaths { get; init; } = [];
    public string? Baseline { get; init; }
    public bool? GitSecretsConfig { get; init; }

    public static KeyGuardConfig Empty { get; } = new();

    /// <summary>The config for a scan: --config if given, else .keyguard.json at <paramref name="root"/>.</summary>
    public static KeyGuardConfig Find(string? explicitPath, string root)
    {
        if (explicitPath != null)
        {
            if (!File.Exists(explicitPath)) throw new InvalidInputException($"--config: {explicitPath}: file not found");
            return Load(explicitPath);
        }
        var candidate = Path.Combine(root, FileName);
        return File.Exists(candidate) ? Load(candidate) : Empty;
    }

    public static KeyGuardConfig Load(string path)
    {
        string json;
        try { json = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"{path}: {e.Message}"); }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InvalidInputException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message.Split('.')[0]}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidInputException($"{path}: the top level must be an object");
            string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            var patterns = new List<string>(); var enable = new List<string>(); var disable = new List<string>();
            var include = new List<string>(); var exclude = new List<string>();
            var allowSecrets = new List<string>(); var allowLines = new List<string>(); var allowPaths = new List<string>();
            string? baseline = null; bool? gitSecrets = null;
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                switch (prop.Name)
                {
                    case "patterns": patterns.AddRange(Strings(path, prop).Select(p => Path.GetFullPath(p, dir))); break;
                    case "enableRules": enable.AddRange(Strings(path, prop)); break;
                    case "disableRules": disable.AddRange(Strings(path, prop)); break;
                    case "include": include.AddRange(Strings(path, prop)); break;
                    case "exclude": exclude.AddRange(Strings(path, prop)); break;
                    case "baseline": baseline = Path.GetFullPath(String(path, prop), dir); break;
                    case "gitSecretsConfig":
                        gitSecrets = prop.Value.ValueKind switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            _ => throw new InvalidInputException($"{path}: 'gitSecretsConfig' must be true or false"),
                        };
                        break;
                    case "allowlist":
                        if (prop.Value.ValueKind != JsonValueKind.Object) throw new InvalidInputException($"{path}: 'allowlist' must be an object");
                        foreach (var a in prop.Value.EnumerateObject())
                        {
                            switch (a.Name)
                            {
                                case "secrets": allowSecrets.AddRange(Strings(path, a)); break;
                                case "lines": allowLines.AddRange(Strings(path, a)); break;
                                case "paths": allowPaths.AddRange(Strings(path, a)); break;
                                default: throw new InvalidInputException($"{path}: unknown key 'allowlist.{a.Name}' (secrets, lines, paths)");
                            }
                        }
                        break;
                    default:
                        throw new InvalidInputException($"{path}: unknown key '{prop.Name}' (patterns, enableRules, disableRules, include, exclude, allowlist, baseline, gitSecretsConfig)");
                }
            }
            return new KeyGuardConfig
            {
                SourcePath = path, Patterns = patterns, EnableRules = enable, DisableRules = disable, Include = include,
                Exclude = exclude, AllowSecrets = allowSecrets, AllowLines = allowLines, AllowPaths = allowPaths,
                Baseline = baseline, GitSecretsConfig = gitSecrets,
            };
        }
    }

    private static string String(string path, JsonProperty p) =>
        p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new InvalidInputException($"{path}: '{p.Name}' must be a string");

    private static IEnumerable<string> Strings(string path, JsonProperty p)
    {
        if (p.Value.ValueKind != JsonValueKind.Array) throw new InvalidInputException($"{path}: '{p.Name}' must be an array of strings");
        return p.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw new InvalidInputException($"{path}: '{p.Name}' must contain only strings")).ToList();
    }
}
