using KeyGuard.Findings;
using KeyGuard.Scanning;
using KeyGuard.Sources;
using KeyGuard.Sources.Git.Staged;
using LibGit2Sharp;

namespace KeyGuard.Hooks;

/// <summary>
/// The repository a hook runs in, opened the way git means it: GIT_INDEX_FILE names the index when git uses a
/// temporary one (<c>git commit -a</c>, <c>git commit FILE</c>). Carries the scan setup with the team's
/// git-secrets config, and applies suppression at the end.
/// </summary>
internal sealed class HookContext : IDisposable
{
    private readonly Repository? _repo;

    /// <summary>libgit2's handle on the repository. A SHA-256 repository has none (libgit2 cannot open it): its checks
    /// read through git (<see cref="Git"/>), and anything that asks for this handle there fails in one line.</summary>
    public Repository Repo => _repo ?? throw new LibGit2SharpException($"{Git!.GitDir}: SHA-256 repository: this check reads through libgit2, which cannot open it");

    /// <summary>The repository read through git, when libgit2 cannot open it (SHA-256); else null.</summary>
    internal GitCliRepository? Git { get; }
    public ScanSetup Setup { get; }
    public GitSecretsConfig GitSecrets => Setup.GitSecrets;
    public ChangeScan Changes { get; }
    private readonly Dictionary<string, string[]> _messages = new(StringComparer.Ordinal);

    private HookContext(Repository repo, ScanSetup setup)
    {
        _repo = repo;
        Setup = setup;
        Changes = new ChangeScan(repo, setup.Scanner, PathSelection.Of(setup.Walk));
    }

    private HookContext(GitCliRepository git, ScanSetup setup)
    {
        Git = git;
        Setup = setup;
        Changes = new ChangeScan(null, setup.Scanner, PathSelection.Of(setup.Walk), git.ReadBlob);
    }

    /// <summary>The repository's git dir, whichever way it is read.</summary>
    internal string GitDir => Git?.GitDir ?? Repo.Info.Path;

    /// <summary>Opens the repository around <paramref name="directory"/>; not in a repository is a usage error.</summary>
    public static HookContext Open(ScanSettings settings, string directory)
    {
        string? gitDir;
        try { gitDir = GitRepositoryLocator.Discover(directory); }
        catch (LibGit2SharpException e) { throw new InvalidInputException($"{directory}: {e.Message}"); }
        if (gitDir == null) throw new InvalidInputException($"{Path.GetFullPath(directory)}: not inside a git repository");
        var options = new RepositoryOptions();
        if (Environment.GetEnvironmentVariable("GIT_INDEX_FILE") is { Length: > 0 } index)
            options.IndexPath = Path.GetFullPath(index);
        Repository repo;
        try { repo = new Repository(gitDir, options); }
        catch (LibGit2SharpException) when (GitCliRepository.TryOpenSha256(directory) is { } git)
        {
            return OpenThroughGit(settings, git);
        }
        try
        {
            var configRoot = repo.Info.IsBare ? repo.Info.Path : repo.Info.WorkingDirectory;
            return new HookContext(repo, ScanSetup.Create(settings, configRoot, repository: repo));
        }
        catch
        {
            repo.Dispose();
            throw;
        }
    }

    private static HookContext OpenThroughGit(ScanSettings settings, GitCliRepository git)
    {
        try
        {
            var configRoot = git.WorkTree ?? git.GitDir;
            // libgit2 cannot read this repository's config: git does, for the same git-secrets settings.
            return new HookContext(git, ScanSetup.Create(settings, configRoot, loadGitSecrets: () => settings.NoGitSecretsConfig
                ? GitSecretsConfig.None : GitSecretsConfig.LoadThroughGit(git.WorkingDirectory, git.GitDir, git.WorkTree)));
        }
        catch
        {
            git.Dispose();
            throw;
        }
    }

    /// <summary>Scans a commit message; comment lines were blanked by the caller so line numbers stay true.</summary>
    public void ScanMessage(string message, Provenance source, ScanResult result)
    {
        var found = new List<Finding>();
        var r = Setup.Scanner.ScanText(message, source, found);
        _messages[MessageKey(source)] = message.Split('\n');
        result.Findings.AddRange(found);
        result.Stats.SuppressedInline += r.Suppressed;
        result.Stats.BytesScanned += r.Bytes;
    }

    /// <summary>Allowlist, baseline and git-secrets' allowed patterns, then a stable order.</summary>
    public void Finish(ScanResult result) => Setup.Finish(result, LineText);

    private string? LineText(Finding f)
    {
        if (f.Source.Kind is SourceKind.CommitMessage or SourceKind.TagMessage)
            return _messages.TryGetValue(MessageKey(f.Source), out var lines) && f.Line <= lines.Length ? lines[f.Line - 1].TrimEnd('\r') : null;
        return Changes.LineText(f);
    }

    private static string MessageKey(Provenance source) => $"{source.Commit}\0{source.Path}";

    public void Dispose()
    {
        _repo?.Dispose();
        Git?.Dispose();
    }
}
