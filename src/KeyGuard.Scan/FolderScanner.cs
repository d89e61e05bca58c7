using KeyGuard.Findings;
using KeyGuard.Scanning;

namespace KeyGuard;

/// <summary>What a folder scan reads beyond the folder itself; the defaults are those of <c>keyguard scan</c>.</summary>
public sealed class FolderScanOptions
{
    /// <summary>The config file (default: <c>.keyguard.json</c> at the root of the repository around the folder).</summary>
    public string? ConfigPath { get; init; }
    /// <summary>A baseline file whose accepted findings are left out (default: the config's).</summary>
    public string? BaselinePath { get; init; }
    /// <summary>Extra rule files in the <c>patterns/*.rules</c> format.</summary>
    public IReadOnlyList<string> RuleFiles { get; init; } = [];
    public IReadOnlyList<string> EnableRules { get; init; } = [];
    public IReadOnlyList<string> DisableRules { get; init; } = [];
    /// <summary>Only paths matching these globs (relative to the folder).</summary>
    public IReadOnlyList<string> Include { get; init; } = [];
    public IReadOnlyList<string> Exclude { get; init; } = [];
    /// <summary>Also scan what .gitignore excludes.</summary>
    public bool NoIgnore { get; init; }
    public bool FollowSymlinks { get; init; }
    /// <summary>Ignore the repository's git-secrets settings (secrets.patterns, secrets.allowed, .gitallowed).</summary>
    public bool NoGitSecretsConfig { get; init; }
    /// <summary>Worker threads; 0 is one per core.</summary>
    public int Threads { get; init; }
}

/// <summary>A folder scan's outcome. <see cref="Errors"/> lists what could not be read: a scan with errors is not clean.</summary>
public sealed class FolderScanResult
{
    internal FolderScanResult(ScanResult result)
    {
        Findings = result.Findings;
        Errors = result.Errors;
        FilesScanned = result.Stats.FilesScanned;
    }

    /// <summary>Findings left after allowlists, the baseline and inline markers, in path, line and column order.</summary>
    public IReadOnlyList<Finding> Findings { get; }
    public IReadOnlyList<ScanError> Errors { get; }
    public long FilesScanned { get; }
    /// <summary>True only when everything was read and nothing was found.</summary>
    public bool Clean => Findings.Count == 0 && Errors.Count == 0;
}

/// <summary>
/// Scans a folder the way <c>keyguard scan PATH</c> does, through the same scan session: .gitignore, the config,
/// the repository's git-secrets settings, allowlists, the baseline and inline markers. docs/library.md shows it.
/// </summary>
public static class FolderScanner
{
    /// <exception cref="InvalidInputException">The folder does not exist, or the config, a rule file or the baseline is invalid.</exception>
    public static FolderScanResult Scan(string folder, FolderScanOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder) && !File.Exists(folder)) throw new InvalidInputException($"{folder}: no such file or directory");
        options ??= new FolderScanOptions();
        var settings = new ScanSettings
        {
            ConfigPath = options.ConfigPath,
            BaselinePath = options.BaselinePath,
            Patterns = options.RuleFiles,
            EnableRules = options.EnableRules,
            DisableRules = options.DisableRules,
            Include = options.Include,
            Exclude = options.Exclude,
            NoIgnore = options.NoIgnore,
            FollowSymlinks = options.FollowSymlinks,
            NoGitSecretsConfig = options.NoGitSecretsConfig,
            Threads = options.Threads,
        };
        using var repositories = new KeyGuard.Sources.Git.OpenRepositories();
        var setup = ScanSetup.Create(settings, ScanSetup.ConfigRootFor(folder, repositories), repositories: repositories);
        var result = new FileScan(setup.Scanner, setup.Walk, progress: false, setup.Settings.Threads).Run([folder]);
        setup.Finish(result, baselineScope: Suppression.Baseline.Scanned([folder], "stdin", setup.BaselinePath));
        return new FolderScanResult(result);
    }
}
