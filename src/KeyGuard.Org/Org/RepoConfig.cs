using KeyGuard.Config;
using KeyGuard.Hooks;
using KeyGuard.Scanning;
using LibGit2Sharp;

namespace KeyGuard.Org;

/// <summary>
/// The scan session for one repository of an org scan. By default a repository's own committed
/// <c>.keyguard.json</c> (with the rule and baseline files it names) and <c>.gitallowed</c> apply as of the scanned
/// commit (HEAD, the default branch), as they would in a checkout of it; <c>--no-repo-config</c> turns that off, so
/// a security team's scan cannot be narrowed by what a repository commits. <c>--config</c> replaces each
/// repository's <c>.keyguard.json</c>, as it does for <c>keyguard scan</c>.
/// </summary>
internal sealed class RepoSessions(ScanSettings settings, ScanSetup operatorSetup, bool honourRepoConfig)
{
    public bool HonourRepoConfig => honourRepoConfig;
    /// <summary>The operator's rules (repositories' own rule files add to them), for reports' rule tables.</summary>
    public IReadOnlyList<KeyGuard.Detection.Rule> Rules => operatorSetup.Rules.Rules;

    /// <summary>
    /// The session for <paramref name="git"/>, and the folder holding its config files (the caller deletes it).
    /// A config that cannot be used is an error of the repository, added to <paramref name="errors"/>; the
    /// repository is then scanned with the operator's settings alone.
    /// </summary>
    public (ScanSetup Setup, string? Folder) For(Repository git, List<string> errors)
    {
        if (!honourRepoConfig) return (operatorSetup, null);
        Commit? head;
        try { head = git.Head?.Tip; }
        catch (LibGit2SharpException) { head = null; }
        if (head == null) return (operatorSetup, null);
        var config = BlobText(head, KeyGuardConfig.FileName);
        var gitAllowed = BlobText(head, ".gitallowed");
        if (config == null && gitAllowed == null) return (operatorSetup, null);

        var folder = Path.Combine(Path.GetTempPath(), "keyguard-repo-config-" + Guid.NewGuid().ToString("N"));
        SecureDirectory.Create(folder);
        try
        {
            if (config != null && settings.ConfigPath == null)
            {
                var file = Path.Combine(folder, KeyGuardConfig.FileName);
                SecureFile.WriteAllText(file, config);
                // Rule and baseline files the config names are read from the same commit, never from outside it.
                var parsed = KeyGuardConfig.Load(file);
                foreach (var named in parsed.Patterns.Concat(parsed.Baseline is { } b ? [b] : []))
                {
                    var relative = Path.GetRelativePath(folder, named).Replace('\\', '/');
                    if (relative.StartsWith("../", StringComparison.Ordinal) || relative == ".." || Path.IsPathRooted(relative))
                        throw new InvalidInputException($"{KeyGuardConfig.FileName}: {relative}: outside the repository");
                    var text = BlobText(head, relative) ?? throw new InvalidInputException($"{KeyGuardConfig.FileName}: {relative}: not in commit {head.Sha}");
                    Directory.CreateDirectory(Path.GetDirectoryName(named)!);
                    SecureFile.WriteAllText(named, text);
                }
            }
            return (ScanSetup.Create(settings, folder, loadGitSecrets: () =>
                gitAllowed != null ? GitSecretsConfig.FromGitAllowed(gitAllowed.Split('\n')) : GitSecretsConfig.None), folder);
        }
        catch (InvalidInputException e)
        {
            errors.Add($"the repository's own config at {head.Sha} was not applied: {e.Message}");
            Directory.Delete(folder, recursive: true);
            return (operatorSetup, null);
        }
    }

    private static string? BlobText(Commit commit, string path) =>
        commit[path]?.Target is Blob blob && !blob.IsBinary ? blob.GetContentText() : null;
}
