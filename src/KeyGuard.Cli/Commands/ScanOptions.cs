using System.CommandLine;
using KeyGuard.Scanning;

namespace KeyGuard.Cli.Commands;

/// <summary>Options shared by every command that scans (scan, baseline create, hooks).</summary>
internal sealed class ScanOptions
{
    public readonly Option<string?> Config = new("--config") { Description = "Config file (default: .keyguard.json at the repository root)." };
    public readonly Option<string[]> Patterns = new("--patterns") { Description = "Extra rule file (repeatable).", AllowMultipleArgumentsPerToken = false };
    public readonly Option<string[]> EnableRule = new("--enable-rule") { Description = "Turn on a rule that is off by default (repeatable), e.g. generic-high-entropy." };
    public readonly Option<string[]> DisableRule = new("--disable-rule") { Description = "Turn a rule off (repeatable)." };
    public readonly Option<string[]> Include = new("--include") { Description = "Only scan files matching this glob (repeatable)." };
    public readonly Option<string[]> Exclude = new("--exclude") { Description = "Skip files matching this glob (repeatable)." };
    public readonly Option<bool> NoIgnore = new("--no-ignore") { Description = "Scan files that .gitignore excludes." };
    public readonly Option<bool> FollowSymlinks = new("--follow-symlinks") { Description = "Follow symbolic links (default: skip them)." };
    public readonly Option<int> Threads = new("--threads") { Description = "Worker threads (default: one per core)." };
    public readonly Option<bool> NoProgress = new("--no-progress") { Description = "No progress line on stderr, even on a terminal." };
    public readonly Option<bool> NoGitSecretsConfig = new("--no-git-secrets-config") { Description = "Ignore git-secrets' secrets.patterns, secrets.allowed, secrets.providers and .gitallowed." };

    public void AddTo(Command command, bool forHook = false)
    {
        foreach (var o in new Option[] { Config, Patterns, EnableRule, DisableRule, Include, Exclude, NoIgnore, FollowSymlinks, Threads, NoProgress, NoGitSecretsConfig })
            command.Options.Add(o);
        // A hook reads git's index and objects, not the file tree: the walker's options do nothing there. They are
        // still accepted (scripts that pass them keep working), but help does not offer them.
        if (forHook)
            foreach (var o in new Option[] { NoIgnore, FollowSymlinks, Threads, NoProgress }) o.Hidden = true;
    }

    public ScanSettings Read(ParseResult p, string? baseline = null)
    {
        int threads = p.GetValue(Threads);
        if (threads < 0) throw new InvalidInputException("--threads must be 0 (one per core) or more");
        return new ScanSettings
        {
            ConfigPath = p.GetValue(Config),
            Patterns = p.GetValue(Patterns) ?? [],
            EnableRules = p.GetValue(EnableRule) ?? [],
            DisableRules = p.GetValue(DisableRule) ?? [],
            Include = p.GetValue(Include) ?? [],
            Exclude = p.GetValue(Exclude) ?? [],
            NoIgnore = p.GetValue(NoIgnore),
            FollowSymlinks = p.GetValue(FollowSymlinks),
            Threads = threads,
            Progress = !p.GetValue(NoProgress),
            BaselinePath = baseline,
            NoGitSecretsConfig = p.GetValue(NoGitSecretsConfig),
        };
    }
}
