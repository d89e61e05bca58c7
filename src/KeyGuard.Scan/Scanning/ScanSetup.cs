using KeyGuard.Sources.Git;
using KeyGuard.Config;
using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Hooks;
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
/// The scan session: everything a scan needs, built once by <see cref="Create"/>: the config found for the root, the
/// rules, the repository's git-secrets settings, the engine and the suppression (allowlists, baseline, git-secrets'
/// allowed patterns). Every command and hook that scans (scan, stdin, baseline, hooks, history sweeps, plan, org
/// scans) starts here, so the same content gives the same findings whichever way it is reached.
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
    /// <summary>The repository's git-secrets patterns, providers and allowed patterns (none when turned off).</summary>
    public GitSecretsConfig GitSecrets { get; init; } = GitSecretsConfig.None;
    /// <summary>Settings that could not be applied (unreadable git config, failed providers): printed, never fatal.</summary>
    public IReadOnlyList<string> Warnings => GitSecrets.Warnings;

    /// <param name="applyBaseline">False for <c>baseline create</c>: it records every finding, accepted or not.</param>
    /// <param name="excludeFiles">Files never scanned, such as the baseline being written.</param>
    /// <param name="repository">The repository already open (hooks), whose git config holds the git-secrets settings;
    /// else the repository around <paramref name="configRoot"/> is read, if there is one.</param>
    /// <param name="loadGitSecrets">Reads the git-secrets settings instead of the repository's git config (an org
    /// scan's repository: its committed .gitallowed; a repository only git can read); called only when the config
    /// does not turn them off.</param>
    /// <param name="repositories">Repositories this command already opened (or will open again), shared.</param>
    public static ScanSetup Create(ScanSettings settings, string configRoot, bool applyBaseline = true,
        IEnumerable<string>? excludeFiles = null, LibGit2Sharp.Repository? repository = null, Func<GitSecretsConfig>? loadGitSecrets = null,
        OpenRepositories? repositories = null)
    {
        var config = KeyGuardConfig.Find(settings.ConfigPath, configRoot);
        var gitSecrets = config.GitSecretsConfig == false ? GitSecretsConfig.None
            : loadGitSecrets != null ? loadGitSecrets()
            : settings.NoGitSecretsConfig ? GitSecretsConfig.None
            : repository != null ? GitSecretsConfig.Load(repository) : GitSecretsConfig.Load(configRoot, repositories);
        var rules = RuleSet.Load(config.Patterns.Concat(settings.Patterns), config.EnableRules.Concat(settings.EnableRules),
            config.DisableRules.Concat(settings.DisableRules));
        if (gitSecrets.Rules.Count > 0) rules = new RuleSet(rules.Rules.Concat(gitSecrets.Rules));
        var origin = config.SourcePath ?? "config";
        var allowlist = new Allowlist(config.AllowSecrets.Concat(gitSecrets.AllowedPatterns), config.AllowLines, config.AllowPaths, origin);
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
                Repositories = repositories,
            },
            Settings = settings,
            GitSecrets = gitSecrets,
        };
    }

    /// <summary>
    /// Applies the allowlist, the baseline and git-secrets' allowed patterns (matched, as git-secrets does, against
    /// <c>path:line:text</c>), then sorts. <paramref name="lineText"/> gives a finding's line as its source holds it
    /// (a blob, a message); by default it is read back from disk.
    /// </summary>
    /// <param name="baselineScope">Which baseline entries the scan covered (default: all), for "no longer seen".</param>
    public void Finish(ScanResult result, Func<Finding, string?>? lineText = null, Func<BaselineEntry, bool>? baselineScope = null)
    {
        lineText ??= ReadLineFromDisk;
        new Suppressor(Allowlist, Baseline, lineText, baselineScope).Apply(result);
        if (GitSecrets.Allowed.Count > 0)
        {
            int before = result.Findings.Count;
            result.Findings.RemoveAll(f => GitSecrets.AllowsLine(f.Path, f.Line, lineText(f)));
            result.Stats.SuppressedAllowlist += before - result.Findings.Count;
        }
        result.Sort();
    }

    private static string? ReadLineFromDisk(Finding f)
    {
        if (f.Source.Kind != SourceKind.File) return null;
        try { return File.ReadLines(f.Path).Skip(f.Line - 1).FirstOrDefault(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The folder whose .keyguard.json applies: the git work tree around <paramref name="path"/>, else the path itself.</summary>
    public static string ConfigRootFor(string path, OpenRepositories? repositories = null)
    {
        var full = Path.GetFullPath(path);
        var dir = Directory.Exists(full) ? full : Path.GetDirectoryName(full) ?? full;
        try
        {
            var gitDir = KeyGuard.Sources.Git.Staged.GitRepositoryLocator.Discover(dir);
            if (gitDir != null)
            {
                using var lease = OpenRepositories.Borrow(repositories, gitDir);
                if (!lease.Repository.Info.IsBare) return lease.Repository.Info.WorkingDirectory;
            }
        }
        catch (LibGit2Sharp.LibGit2SharpException) { }
        return dir;
    }
}
