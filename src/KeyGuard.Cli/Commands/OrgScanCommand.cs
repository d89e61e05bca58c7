using System.CommandLine;
using KeyGuard.Org;
using KeyGuard.Reporting;
using KeyGuard.Scanning;

namespace KeyGuard.Cli.Commands;

/// <summary>keyguard org-scan: incremental, sharded, resumable history scans of many repositories (docs/org-scan.md).</summary>
internal static class OrgScanCommand
{
    public static Command Create()
    {
        var repos = new Option<string?>("--repos") { Description = "File listing repositories: one local path or clone URL per line, # comments." };
        var dir = new Option<string?>("--dir") { Description = "Directory whose subfolders are checkouts or bare mirrors." };
        var cache = new Option<string>("--cache") { Description = "Where bare mirrors of remote repositories are kept.", DefaultValueFactory = _ => "keyguard-cache" };
        var statePath = new Option<string?>("--state") { Description = "State file (default: CACHE.state.db next to the cache)." };
        var output = new Option<string?>("--out") { Description = "Write per-repository JSON/SARIF and the org summary (Markdown, HTML, JSON) here." };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Repositories scanned at once.", DefaultValueFactory = _ => 2 };
        var maxRepoMb = new Option<int>("--max-repo-mb") { Description = "Fail repositories whose object store is larger (0: no limit).", DefaultValueFactory = _ => 0 };
        var shard = new Option<string?>("--shard") { Description = "Scan only shard i of n (i/n, by a stable hash of each repository's identity)." };
        var restart = new Option<bool>("--restart") { Description = "Start a new run even if the last one was interrupted (default: resume it)." };
        var rotated = new Option<string[]>("--mark-rotated") { Description = "Mark findings with this fingerprint or key ID rotated (repeatable)." };
        var plan = new Option<bool>("--plan") { Description = "Add an offline remediation plan per exposed key to the summary (plan.md, plan.json)." };
        var scan = new OrgScanOptions();
        var hosted = new HostedListingOptions();

        var command = new Command("org-scan", "Scan the history of many repositories incrementally, in parallel and in shards.");
        var verify = new Option<bool>("--verify") { Description = "Ask IAM, with your credentials, who owns each exposed key; implies --plan, whose plans then name owners and steps." };
        foreach (var o in new Option[] { repos, dir, cache, statePath, output, jobs, maxRepoMb, shard, restart, rotated, plan, verify }) command.Options.Add(o);
        hosted.AddTo(command);
        scan.AddTo(command);
        var aws = AwsOptions.AddTo(command);
        command.SetAction(p =>
        {
            var listFile = p.GetValue(repos);
            var directory = p.GetValue(dir);
            var marks = p.GetValue(rotated) ?? [];
            var listing = hosted.Request(p);
            var savedListing = hosted.SavedListing(p);
            if (savedListing != null && listing != null)
                throw new InvalidInputException("--listing FILE replaces --github-org/--gitlab-group (the listing is in the file); give one or the other");
            var listTo = hosted.ListTo(p);
            if (listTo != null && listing == null)
                throw new InvalidInputException("--list-to FILE: give --github-org ORG and/or --gitlab-group GROUP to list");
            bool anySource = listFile != null || directory != null || listing != null || savedListing != null;
            if (!anySource && marks.Length == 0)
                throw new InvalidInputException("org-scan: give --repos FILE, --dir DIR, --github-org ORG and/or --gitlab-group GROUP, --listing FILE (or --mark-rotated)");
            int jobCount = p.GetValue(jobs);
            if (jobCount < 1) throw new InvalidInputException("--jobs must be 1 or more");
            int maxMb = p.GetValue(maxRepoMb);
            if (maxMb < 0) throw new InvalidInputException("--max-repo-mb must be 0 (no limit) or more");
            var shardSpec = p.GetValue(shard) is { } s ? ShardSpec.Parse(s) : ShardSpec.All;
            var cacheDir = p.GetValue(cache)!;
            var statePathValue = p.GetValue(statePath) ?? DefaultStatePath(cacheDir);
            var outDir = p.GetValue(output);

            var stderr = scan.Stderr(p);
            bool terminal = stderr.Terminal;
            var log = stderr.Log;
            Action<string, string, string> Say = stderr.Error, Tell = stderr.Tell;
            if (listTo != null) return ListOnce(listing!, listTo, stderr);
            var sessions = scan.CreateSessions(p);
            using var state = OrgState.Open(statePathValue);
            // The organisation's repositories are listed before anything is scanned: a listing that fails (bad token,
            // rate limit beyond --api-max-wait) stops the run with exit 3 and no report, never a shorter "clean" one.
            var listed = new List<RepoSpec>();
            if (savedListing != null) listed = HostedRepoLists.Specs(HostedListingFile.Read(savedListing));
            if (listing != null && shardSpec.Count > 1)
                Tell("*", "listing-per-shard", $"--shard {shardSpec}: this shard lists the whole organisation only to keep its part; list once with --list-to FILE and give every shard --listing FILE");
            if (listing != null)
            {
                try { listed = HostedRepoLists.Load(listing, Tell); }
                catch (RepoListingException e)
                {
                    Say("*", "listing-failed", e.Message);
                    return ExitCodes.ScanError;
                }
            }
            foreach (var mark in marks)
            {
                int n = state.MarkRotated(mark);
                if (n == 0) throw new InvalidInputException($"--mark-rotated: {mark}: no tracked finding has this fingerprint or key ID");
                Say("*", "marked-rotated", $"marked {n} finding{(n == 1 ? "" : "s")} rotated ({mark})");
            }

            List<string>? selected = null;
            if (anySource)
            {
                var all = RepoList.Load(listFile, directory, listed);
                var runner = new OrgScanRunner(sessions, state, new MirrorCache(cacheDir), log);
                var run = runner.Run(all, new OrgRunOptions
                {
                    Jobs = jobCount,
                    MaxRepoBytes = maxMb * 1048576L,
                    Shard = shardSpec,
                    Restart = p.GetValue(restart),
                    Progress = terminal,
                    StopAfter = int.TryParse(Environment.GetEnvironmentVariable("KEYGUARD_ORG_STOP_AFTER"), out int stop) ? stop : 0,
                });
                selected = all.Where(shardSpec.Contains).Select(r => r.Identity).ToList();
                if (terminal) Console.Error.WriteLine($"keyguard: run {run.RunId}{(run.Resumed ? " (resumed)" : "")}: {run.Selected} repositories in shard {shardSpec}, {run.Scanned} scanned, {run.Skipped} already done, {run.Failed} failed, {run.Blobs} new blobs");
                else log.Write("*", "run-finished", run.Blobs);
            }
            state.ApplyRotationMarks([]);   // findings of a rotated key seen since it was marked are rotated too
            var summary = OrgSummary.Build(state, selected, p.GetValue(plan));
            if (p.GetValue(verify))
            {
                var facts = OrgVerify.Facts(summary, aws.Read(p), (key, message) => Say(key, "verify-error", message));
                if (facts == null) return ExitCodes.AwsError;
                summary = OrgSummary.Build(state, selected, plan: true, facts);
            }
            if (terminal) foreach (var f in summary.Failed) Console.Error.WriteLine($"keyguard: {ControlCharacters.Escape(f.Repo.Repo)}: {ControlCharacters.Escape(f.Repo.Error ?? "")}");
            if (outDir != null)
            {
                OrgOutput.Write(summary, outDir, sessions.Rules);
                state.BackupTo(Path.Combine(outDir, "state.db"));
            }
            Console.WriteLine($"{summary.Repos.Count} repositories, {summary.Failed.Count()} failed: {summary.Total("new")} new, {summary.Total("open")} open, " +
                              $"{summary.Total("rotated")} rotated, {summary.Total("resolved")} resolved findings");
            return scan.Exit(p, summary.ExitCode);
        });
        return command;
    }

    /// <summary>--list-to: the organisation is listed once, for every shard to read with --listing; nothing is scanned.</summary>
    private static int ListOnce(HostedListingRequest request, string file, OrgStderr stderr)
    {
        List<HostedSource> sources;
        try { sources = HostedRepoLists.List(request, stderr.Tell); }
        catch (RepoListingException e)
        {
            stderr.Error("*", "listing-failed", e.Message);
            return ExitCodes.ScanError;
        }
        try { HostedListingFile.Write(file, sources, DateTimeOffset.UtcNow); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"--list-to: cannot write '{file}': {e.Message}"); }
        int count = sources.Sum(s => s.Repos.Count);
        Console.WriteLine($"{count} repositor{(count == 1 ? "y" : "ies")} listed into {file}; scan them with --listing {file} (and --shard i/n)");
        return ExitCodes.Clean;
    }

    internal static string DefaultStatePath(string cacheDir)
    {
        var full = Path.GetFullPath(cacheDir).TrimEnd('/', '\\');
        return full + ".state.db";
    }
}

/// <summary>--github-org / --gitlab-group: the repositories of organisations and groups, listed from the code host's API.</summary>
internal sealed class HostedListingOptions
{
    private readonly Option<string[]> _githubOrgs = new("--github-org") { HelpName = "ORG", Description = "Scan every repository of this GitHub organisation, listed through its API (repeatable; token from KEYGUARD_GITHUB_TOKEN or GITHUB_TOKEN, also used to clone)." };
    private readonly Option<string> _githubApi = new("--github-api-url") { HelpName = "URL", Description = "GitHub API for --github-org; GitHub Enterprise Server: https://HOST/api/v3.", DefaultValueFactory = _ => "https://api.github.com" };
    private readonly Option<string[]> _gitlabGroups = new("--gitlab-group") { HelpName = "GROUP", Description = "Scan every project of this GitLab group and its subgroups, listed through its API (repeatable; full path, e.g. platform/backend; token from KEYGUARD_GITLAB_TOKEN or GITLAB_TOKEN, also used to clone)." };
    private readonly Option<string> _gitlabUrl = new("--gitlab-url") { HelpName = "URL", Description = "GitLab instance for --gitlab-group (self-managed: https://HOST).", DefaultValueFactory = _ => "https://gitlab.com" };
    private readonly Option<bool> _skipArchived = new("--skip-archived") { Description = "Do not scan archived repositories of --github-org/--gitlab-group (default: scan them; a key leaked there is still readable)." };
    private readonly Option<bool> _includeForks = new("--include-forks") { Description = "Also scan forks listed by --github-org/--gitlab-group (default: skip them; their history is mostly their upstream's)." };
    private readonly Option<string?> _listTo = new("--list-to") { HelpName = "FILE", Description = "List the repositories of --github-org/--gitlab-group (filters applied) into FILE and stop, scanning nothing: shards then read it with --listing FILE, so the organisation is listed once, not once per shard. FILE holds no token." };
    private readonly Option<string?> _listing = new("--listing") { HelpName = "FILE", Description = "Scan the repositories listed in FILE by --list-to, instead of listing through the API (tokens from the environment, as for --github-org/--gitlab-group)." };
    private readonly Option<int> _maxWait = new("--api-max-wait") { HelpName = "SECONDS", Description = "Longest total wait for API rate limits while listing; beyond it the run fails (exit 3).", DefaultValueFactory = _ => 300 };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _githubOrgs, _githubApi, _gitlabGroups, _gitlabUrl, _skipArchived, _includeForks, _maxWait, _listTo, _listing }) command.Options.Add(o);
    }

    public string? ListTo(ParseResult p) => p.GetValue(_listTo);
    public string? SavedListing(ParseResult p) => p.GetValue(_listing);

    /// <summary>The listing asked for, or null when no --github-org/--gitlab-group was given.</summary>
    public HostedListingRequest? Request(ParseResult p)
    {
        var orgs = Names(p.GetValue(_githubOrgs), "--github-org");
        var groups = Names(p.GetValue(_gitlabGroups), "--gitlab-group");
        int wait = p.GetValue(_maxWait);
        if (wait < 0) throw new InvalidInputException("--api-max-wait must be 0 or more seconds");
        if (orgs.Count == 0 && groups.Count == 0) return null;
        return new HostedListingRequest
        {
            GitHubOrgs = orgs,
            GitHubApi = HostedApi.ParseBase(p.GetValue(_githubApi)!, "--github-api-url"),
            GitLabGroups = groups,
            GitLabApi = HostedApi.ParseBase(p.GetValue(_gitlabUrl)!, "--gitlab-url", "/api/v4"),
            IncludeArchived = !p.GetValue(_skipArchived),
            IncludeForks = p.GetValue(_includeForks),
            MaxWait = TimeSpan.FromSeconds(wait),
        };
    }

    private static List<string> Names(string[]? values, string option)
    {
        var names = (values ?? []).Select(v => v.Trim().Trim('/')).ToList();
        if (names.Any(n => n.Length == 0 || n.Any(char.IsControl) || n.Contains("..", StringComparison.Ordinal)))
            throw new InvalidInputException($"{option}: give an organisation or group name (e.g. acme, platform/backend)");
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }
}

/// <summary>The scan options that apply to git objects (rules and config); file-walk options do not.</summary>
internal sealed class OrgScanOptions
{
    private readonly Option<string?> _config = new("--config") { Description = "Config file (rules, allowlist) applied to every repository." };
    private readonly Option<string[]> _patterns = new("--patterns") { Description = "Extra rule file (repeatable)." };
    private readonly Option<string[]> _enable = new("--enable-rule") { Description = "Turn on a rule that is off by default (repeatable)." };
    private readonly Option<string[]> _disable = new("--disable-rule") { Description = "Turn a rule off (repeatable)." };
    private readonly Option<bool> _noRepoConfig = new("--no-repo-config")
    {
        Description = "Ignore each repository's committed .keyguard.json and .gitallowed. By default they apply as of the scanned commit (HEAD), as in a checkout; a security team turns them off so that no repository can narrow its own scan.",
    };
    private readonly Option<bool> _noProgress = new("--no-progress") { Description = "No progress line; JSON-lines events on stderr instead." };
    private readonly Option<int> _findingsExitCode = new("--findings-exit-code")
    {
        HelpName = "N",
        Description = "Exit code when new or open findings exist (default 1). Schedulers that retry or mark failed on any non-zero code (Kubernetes Jobs) want 0: findings are the normal state of an org; errors still exit 3.",
        DefaultValueFactory = _ => ExitCodes.Findings,
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _config, _patterns, _enable, _disable, _noRepoConfig, _noProgress, _findingsExitCode }) command.Options.Add(o);
    }

    /// <summary>The exit code, with "findings" replaced by what --findings-exit-code asks for.</summary>
    public int Exit(ParseResult p, int exit)
    {
        int onFindings = p.GetValue(_findingsExitCode);
        if (onFindings is < 0 or > 255) throw new InvalidInputException("--findings-exit-code must be 0 to 255");
        return exit == ExitCodes.Findings ? onFindings : exit;
    }

    public bool Progress(ParseResult p) => !p.GetValue(_noProgress);

    /// <summary>Plain lines on a terminal, else (or with --no-progress) JSON-lines events only.</summary>
    public OrgStderr Stderr(ParseResult p) => new(Progress(p) && !Console.IsErrorRedirected);

    public ScanSetup CreateSetup(ParseResult p) => ScanSetup.Create(Settings(p), Directory.GetCurrentDirectory());

    /// <summary>The session of each repository: the operator's settings, with the repository's own config unless --no-repo-config.</summary>
    public RepoSessions CreateSessions(ParseResult p)
    {
        var settings = Settings(p);
        return new RepoSessions(settings, ScanSetup.Create(settings, Directory.GetCurrentDirectory()), honourRepoConfig: !p.GetValue(_noRepoConfig));
    }

    private ScanSettings Settings(ParseResult p)
    {
        Exit(p, ExitCodes.Clean);   // a bad --findings-exit-code is a usage error before any work
        return new ScanSettings
        {
            ConfigPath = p.GetValue(_config),
            Patterns = p.GetValue(_patterns) ?? [],
            EnableRules = p.GetValue(_enable) ?? [],
            DisableRules = p.GetValue(_disable) ?? [],
            // The operator's own checkout is not what is scanned: its git-secrets settings do not apply.
            NoGitSecretsConfig = true,
        };
    }
}

/// <summary>org-scan --verify: one IAM lookup per exposed key ID across all repositories.</summary>
internal static class OrgVerify
{
    public static Dictionary<string, KeyGuard.Findings.KeyFacts>? Facts(OrgSummary summary, KeyGuard.Aws.AwsSessionOptions options, Action<string, string> report)
    {
        var ids = summary.All.Where(f => f.Status is "new" or "open" && f.Finding.KeyId != null && KeyGuard.Aws.AccessKeyId.IsWellFormed(f.Finding.KeyId))
            .Select(f => f.Finding.KeyId!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var facts = new Dictionary<string, KeyGuard.Findings.KeyFacts>(StringComparer.Ordinal);
        if (ids.Count == 0) return facts;
        try
        {
            using var lookup = KeyGuard.Enrichment.KeyLookup.Open(options);
            foreach (var f in lookup.Enricher.EnrichAsync(ids).GetAwaiter().GetResult())
            {
                facts[f.KeyId] = f;
                if (f.Error != null) report(f.KeyId, $"{f.KeyId}: {f.Error}");
            }
            return facts;
        }
        catch (Exception e) when (e is KeyGuard.Aws.IamException or KeyGuard.Aws.AwsConfigurationException)
        {
            report("*", $"--verify: {e.Message}");
            return null;
        }
    }
}
