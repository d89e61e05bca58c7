using KeyGuard.Config;
using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Sources;
using KeyGuard.Suppression;

namespace KeyGuard.Scanning;

/// <summary>What the user asked for, from options and config together.</summary>
internal sealed class ScanSettings
{
    public string? ConfigPath { get; init; }
    public IReadOnlyList<string> Patterns { get; init; } = [];
    public IReadOnlyList<string> EnableRules { get; init; } = [];
    public IReadOnlyList<string> DisableRules { get; init; } = [];
    public IReadOnlyList<string> Include { get; init; } = [];
    public IReadOnlyList<string> Exclude { get; init; } = [];
    public string? BaselinePath { get; init; }
    public bool NoIgnore { get; init; }
    public bool FollowSymlinks { get; init; }
    public bool Progress { get; init; }
    public int Threads { get; init; }
    /// <summary>Ignore git-secrets' secrets.patterns / secrets.allowed / secrets.providers and .gitallowed.</summary>
    public bool NoGitSecretsConfig { get; init; }
}

/// <summary>
/// Everything a scan needs, built once: the config found for the root, the rules, the engine and the suppression.
/// File scans, stdin, git hooks and history sweeps all start here so they honour the same config.
/// </summary>
internal sealed class ScanSetup
{
    public required KeyGuardConfig Config { get; init; }
    public required RuleSet Rules { get; init; }
    public required ContentScanner Scanner { get; init; }
    public required Allowlist Allowlist { get; init; }
    public Baseline? Baseline { get; init; }
    /// <summary>The baseline file in use (from the option or the config), if any.</summary>
    public string? BaselinePath { get; init; }
    public required WalkOptions Walk { get; init; }
    public required ScanSettings Settings { get; init; }

    /// <param name="applyBaseline">False for <c>baseline create</c>: it records every finding, accepted or not.</param>
    /// <param name="excludeFiles">Files never scanned, such as the baseline being written.</param>
    public static ScanSetup Create(ScanSettings settings, string configRoot, IEnumerable<Rule>? extraRules = null,
        IEnumerable<string>? extraAllowedSecrets = null, bool applyBaseline = true, IEnumerable<string>? excludeFiles = null)
    {
        var config = KeyGuardConfig.Find(settings.ConfigPath, configRoot);
        var rules = RuleSet.Load(config.Patterns.Concat(settings.Patterns), config.EnableRules.Concat(settings.EnableRules),
            config.DisableRules.Concat(settings.DisableRules));
        if (extraRules != null) rules = new RuleSet(rules.Rules.Concat(extraRules));
        var origin = config.SourcePath ?? "config";
        var allowlist = new Allowlist(config.AllowSecrets.Concat(extraAllowedSecrets ?? []), config.AllowLines, config.AllowPaths, origin);
        var baselinePath = settings.BaselinePath ?? config.Baseline;
        // The baseline lists key IDs: scanned, it would report itself, and keep its own stale entries "seen".
        var notScanned = (excludeFiles ?? []).Concat(baselinePath != null ? [baselinePath] : []).Select(f => Path.GetFullPath(f)).ToList();
        return new ScanSetup
        {
            Config = config,
            Rules = rules,
            Scanner = new ContentScanner(new TextScanner(rules)),
            Allowlist = allowlist,
            Baseline = applyBaseline && baselinePath != null ? Baseline.Load(baselinePath) : null,
            BaselinePath = baselinePath,
            Walk = new WalkOptions
            {
                NoIgnore = settings.NoIgnore,
                FollowSymlinks = settings.FollowSymlinks,
                Include = config.Include.Concat(settings.Include).ToList(),
                Exclude = config.Exclude.Concat(settings.Exclude).ToList(),
                ExcludeFiles = notScanned,
            },
            Settings = settings,
        };
    }

    /// <summary>Applies allowlist and baseline, then sorts. Line text for line rules is read back from disk.</summary>
    /// <param name="baselineScope">Which baseline entries the scan covered (default: all), for "no longer seen".</param>
    public void Finish(ScanResult result, Func<Finding, string?>? lineText = null, Func<BaselineEntry, bool>? baselineScope = null)
    {
        new Suppressor(Allowlist, Baseline, lineText ?? ReadLineFromDisk, baselineScope).Apply(result);
        result.Sort();
    }

    private static string? ReadLineFromDisk(Finding f)
    {
        if (f.Source.Kind != SourceKind.File) return null;
        try { return File.ReadLines(f.Path).Skip(f.Line - 1).FirstOrDefault(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The folder whose .keyguard.json applies: the git work tree around <paramref name="path"/>, else the path itself.</summary>
    public static string ConfigRootFor(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Directory.Exists(full) ? full : Path.GetDirectoryName(full) ?? full;
        try
        {
            var gitDir = KeyGuard.Sources.Git.Staged.GitRepositoryLocator.Discover(dir);
            if (gitDir != null)
            {
                using var repo = new LibGit2Sharp.Repository(gitDir);
                if (!repo.Info.IsBare) return repo.Info.WorkingDirectory;
            }
        }
        catch (LibGit2Sharp.LibGit2SharpException) { }
        return dir;
    }
}
