using KeyGuard.Sources.Git;
using System.Diagnostics;
using System.Text.RegularExpressions;
using KeyGuard.Config;
using KeyGuard.Detection;
using KeyGuard.Scanning;
using LibGit2Sharp;

namespace KeyGuard.Hooks;

/// <summary>
/// A team's git-secrets setup, kept when it moves to KeyGuard: <c>secrets.patterns</c> and the output of
/// <c>secrets.providers</c> become rules, <c>secrets.allowed</c> and <c>.gitallowed</c> become allowed patterns.
/// The patterns <c>git secrets --register-aws</c> adds are skipped: KeyGuard's validated AWS rules replace them.
/// </summary>
internal sealed class GitSecretsConfig
{
    /// <summary>What <c>git secrets --register-aws</c> writes; KeyGuard's own rules cover these with fewer false alarms.</summary>
    internal static readonly HashSet<string> RegisterAwsPatterns =
    [
        "(A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}",
        "(\"|')?(AWS|aws|Aws)?_?(SECRET|secret|Secret)?_?(ACCESS|access|Access)?_?(KEY|key|Key)(\"|')?\\s*(:|=>|=)\\s*(\"|')?[A-Za-z0-9/\\+=]{40}(\"|')?",
        "(\"|')?(AWS|aws|Aws)?_?(ACCOUNT|account|Account)_?(ID|id|Id)?(\"|')?\\s*(:|=>|=)\\s*(\"|')?[0-9]{4}\\-?[0-9]{4}\\-?[0-9]{4}(\"|')?",
    ];

    public IReadOnlyList<Rule> Rules { get; init; } = [];
    /// <summary>.NET patterns; git-secrets matches them against <c>path:line:text</c>.</summary>
    public IReadOnlyList<Regex> Allowed { get; init; } = [];
    /// <summary>The same patterns as strings, for <see cref="ScanSetup.Create"/>'s allowed secrets.</summary>
    public IReadOnlyList<string> AllowedPatterns { get; init; } = [];
    /// <summary>Patterns skipped and providers that failed: printed, never fatal.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public static GitSecretsConfig None { get; } = new();

    /// <summary>Reads the config of the repository around <paramref name="configRoot"/>; none outside a repository.</summary>
    public static GitSecretsConfig Load(string configRoot, OpenRepositories? repositories = null)
    {
        string? gitDir;
        try { gitDir = Sources.Git.Staged.GitRepositoryLocator.Discover(configRoot); }
        catch (LibGit2SharpException) { return None; }
        if (gitDir == null) return None;
        OpenRepositories.Lease lease;
        try { lease = OpenRepositories.Borrow(repositories, gitDir); }
        catch (LibGit2SharpException e)
        {
            // The files are still scanned; only the repository's git-secrets settings cannot be read.
            return new GitSecretsConfig { Warnings = [$"{configRoot}: cannot read the repository's git config, so its git-secrets settings are not applied: {KeyGuard.Sources.Git.UnreadableRepository.Explain(e, configRoot)}"] };
        }
        using (lease) return Load(lease.Repository);
    }

    /// <summary>
    /// The multi-valued global git config key that lets a repository's own <c>secrets.providers</c> run (a path, or
    /// <c>*</c>), as <c>safe.directory</c> does for git: a provider is a shell command, and a scanned checkout's
    /// <c>.git/config</c> is not the user's to trust by default.
    /// </summary>
    public const string TrustProvidersKey = "keyguard.trustProviders";

    public static GitSecretsConfig Load(Repository repo) =>
        Load(repo.Config.Select(e => new ConfigEntry(e.Key, e.Value,
                e.Level is ConfigurationLevel.Global or ConfigurationLevel.Xdg or ConfigurationLevel.System or ConfigurationLevel.ProgramData)),
            repo.Info.IsBare ? null : repo.Info.WorkingDirectory, repo.Info.Path);

    /// <summary>One git config entry and whether it comes from the user's or the system's config (not the repository's).</summary>
    public readonly record struct ConfigEntry(string Key, string Value, bool UserLevel);

    /// <summary>The same from <c>git config --list --show-scope</c>, for repositories libgit2 cannot open (SHA-256).</summary>
    internal static GitSecretsConfig LoadThroughGit(string workingDirectory, string gitDir, string? workTree)
    {
        var psi = Sources.Git.SafeGit.StartInfo(workingDirectory, ["config", "--list", "--show-scope", "-z"]);
        using var git = System.Diagnostics.Process.Start(psi) ?? throw new IOException("git did not start");
        var errors = git.StandardError.ReadToEndAsync();
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0) throw new IOException($"git config: {errors.Result.Split('\n')[0].Trim()}");
        var entries = new List<ConfigEntry>();
        // "scope\tkey\nvalue\0" per entry (a key without a value has no "\nvalue")
        foreach (var record in output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            int tab = record.IndexOf('\t');
            if (tab < 0) continue;
            var scope = record[..tab];
            var rest = record[(tab + 1)..];
            int nl = rest.IndexOf('\n');
            var key = nl < 0 ? rest : rest[..nl];
            entries.Add(new ConfigEntry(key, nl < 0 ? "" : rest[(nl + 1)..], scope is "global" or "system"));
        }
        return Load(entries, workTree, gitDir);
    }

    private static GitSecretsConfig Load(IEnumerable<ConfigEntry> config, string? workTree, string gitDir)
    {
        var patterns = new List<string>(); var providers = new List<string>(); var allowed = new List<string>();
        var warnings = new List<string>();
        var trusted = new List<string>();
        var repoProviders = new List<string>();
        foreach (var entry in config)
        {
            switch (entry.Key)
            {
                case "secrets.patterns": patterns.Add(entry.Value); break;
                case "secrets.providers":
                    if (entry.UserLevel || GitSecretsProvider.IsInProcess(entry.Value)) providers.Add(entry.Value);
                    else repoProviders.Add(entry.Value);
                    break;
                case "secrets.allowed": allowed.Add(entry.Value); break;
                // git lower-cases a key's last part, as it does every section and key name.
                case var key when string.Equals(key, TrustProvidersKey, StringComparison.OrdinalIgnoreCase) && entry.UserLevel:
                    trusted.Add(entry.Value); break;
            }
        }
        var repoRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workTree ?? gitDir));
        if (repoProviders.Count > 0)
        {
            if (trusted.Any(t => t == "*" || Path.TrimEndingDirectorySeparator(Path.GetFullPath(t)) == repoRoot)) providers.AddRange(repoProviders);
            else
                warnings.Add($"{repoRoot}: skipped {repoProviders.Count} secrets.providers command{(repoProviders.Count == 1 ? "" : "s")} from the repository's own git config " +
                             $"(a scanned repository's commands never run unless you trust it: git config --global --add {TrustProvidersKey} {repoRoot})");
        }
        if (workTree != null)
        {
            var file = Path.Combine(workTree, ".gitallowed");
            if (File.Exists(file))
                allowed.AddRange(File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#'));
        }
        if (patterns.Count == 0 && providers.Count == 0 && allowed.Count == 0) return warnings.Count == 0 ? None : new GitSecretsConfig { Warnings = warnings };

        var rules = new List<Rule>();
        var allowedRegexes = new List<Regex>();
        var allowedStrings = new List<string>();
        foreach (var p in patterns.Where(p => !RegisterAwsPatterns.Contains(p)).Distinct())
            AddRule(rules, p, "git config secrets.patterns", warnings, showPattern: true);
        foreach (var provider in providers.Distinct())
            foreach (var p in GitSecretsProvider.Run(provider, workTree ?? gitDir, warnings))
                AddRule(rules, p, $"secrets.providers '{provider}'", warnings, showPattern: false);
        AddAllowed(allowed, warnings, allowedRegexes, allowedStrings);
        return new GitSecretsConfig { Rules = rules, Allowed = allowedRegexes, AllowedPatterns = allowedStrings, Warnings = warnings };
    }

    /// <summary>A repository's committed <c>.gitallowed</c> lines alone (org scans read it from the scanned commit).</summary>
    public static GitSecretsConfig FromGitAllowed(IEnumerable<string> lines)
    {
        var allowed = lines.Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#').ToList();
        if (allowed.Count == 0) return None;
        var warnings = new List<string>();
        var regexes = new List<Regex>();
        var strings = new List<string>();
        AddAllowed(allowed, warnings, regexes, strings);
        return new GitSecretsConfig { Allowed = regexes, AllowedPatterns = strings, Warnings = warnings };
    }

    private static void AddAllowed(IEnumerable<string> allowed, List<string> warnings, List<Regex> regexes, List<string> strings)
    {
        foreach (var a in allowed.Distinct())
        {
            if (Translate(a, "secrets.allowed / .gitallowed", warnings, wholeWord: false, showPattern: true) is not { } rx) continue;
            regexes.Add(new Regex(rx, RegexOptions.CultureInvariant, RuleFileParser.MatchTimeout));
            strings.Add(rx);
        }
    }

    /// <summary>Provider patterns are often the secrets themselves (the AWS provider's are): they are never printed,
    /// not in warnings and not in rule descriptions that reports carry.</summary>
    private static void AddRule(List<Rule> rules, string pattern, string origin, List<string> warnings, bool showPattern)
    {
        if (Translate(pattern, origin, warnings, wholeWord: true, showPattern) is not { } rx) return;
        int n = rules.Count + 1;
        rules.Add(new Rule
        {
            Id = $"git-secrets-{n}",
            Title = "git-secrets pattern",
            Description = showPattern ? pattern : $"a pattern from {origin}",
            Regex = new Regex(rx, RegexOptions.CultureInvariant, RuleFileParser.MatchTimeout),
            Check = RuleCheck.None,
            FilterPlaceholders = false,
            Origin = origin,
        });
    }

    /// <summary>A pattern .NET cannot compile is skipped with a warning rather than failing every commit.</summary>
    private static string? Translate(string pattern, string origin, List<string> warnings, bool wholeWord, bool showPattern)
    {
        try
        {
            var rx = PosixRegex.ToDotNet(pattern, wholeWord);
            _ = new Regex(rx, RegexOptions.CultureInvariant);
            return rx;
        }
        catch (ArgumentException e)
        {
            warnings.Add($"{origin}: skipped {(showPattern ? $"pattern '{pattern}'" : "a pattern it printed")}: {(showPattern ? e.Message : "not a valid regex")}");
            return null;
        }
    }

    /// <summary>git-secrets' allowed check: the pattern against <c>path:line:text</c>, as its grep output reads.</summary>
    public bool AllowsLine(string path, int line, string? text)
    {
        if (Allowed.Count == 0) return false;
        var grepLine = $"{path}:{line}:{text}";
        foreach (var rx in Allowed) if (rx.IsMatch(grepLine)) return true;
        return false;
    }
}

/// <summary>Runs a <c>secrets.providers</c> command; each output line is a pattern.</summary>
internal static class GitSecretsProvider
{
    /// <summary>git-secrets' AWS provider, which KeyGuard runs in-process (it reads ~/.aws/credentials, runs nothing).</summary>
    public static bool IsInProcess(string command) =>
        command.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: 3 or 4 } words && words[0] == "git" && words[1] == "secrets" && words[2] == "--aws-provider";

    public static IEnumerable<string> Run(string command, string workDir, List<string> warnings)
    {
        // git-secrets' own AWS provider, done in-process: no bash, no second git, and it works without git-secrets.
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (IsInProcess(command))
            return AwsCredentialsProvider(words.Length == 4 ? words[3] : null);
        try
        {
            var psi = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(command);
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                warnings.Add($"secrets.providers: '{command}' exited {p.ExitCode}: {stderr.Result.Trim().Split('\n')[0]}");
                return [];
            }
            return output.Split('\n').Select(l => l.Trim('\r', ' ', '\t')).Where(l => l.Length > 0).ToList();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            warnings.Add($"secrets.providers: '{command}': {e.Message}");
            return [];
        }
    }

    /// <summary>The key IDs and secrets in an AWS credentials file, escaped as literal patterns.</summary>
    internal static IEnumerable<string> AwsCredentialsProvider(string? file)
    {
        file ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "credentials");
        if (!File.Exists(file)) return [];
        var values = new List<string>();
        foreach (var line in File.ReadLines(file))
        {
            int eq = line.IndexOf('=');
            if (eq < 0) continue;
            var key = line[..eq];
            if (!key.Contains("aws_access_key_id") && !key.Contains("aws_secret_access_key")) continue;
            var value = line[(eq + 1)..].Replace(" ", "").Replace("\"", "");
            if (value.Length > 0) values.Add(Regex.Escape(value));
        }
        return values;
    }
}
