namespace KeyGuard.Sources.Git;

/// <summary>
/// Which hash a repository names its objects with. LibGit2Sharp 0.32 opens only SHA-1 repositories (its ObjectId is
/// 20 bytes); SHA-256 ones (<c>git init --object-format=sha256</c>) are read through git instead.
/// </summary>
internal static class ObjectFormat
{
    /// <summary>True when git says the repository at <paramref name="gitDir"/> uses SHA-256. Asks git only when the
    /// repository's config names an object format at all (SHA-1 repositories normally do not).</summary>
    public static bool IsSha256(string gitDir)
    {
        if (!MentionsObjectFormat(gitDir)) return false;
        try
        {
            var psi = SafeGit.StartInfo(null, ["--git-dir", gitDir, "rev-parse", "--show-object-format"]);
            using var git = System.Diagnostics.Process.Start(psi);
            if (git == null) return false;
            var errors = git.StandardError.ReadToEndAsync();
            var format = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            _ = errors.Result;
            return git.ExitCode == 0 && format == "sha256";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException) { return false; }
    }

    /// <summary>The extension lives in the repository's own config (the common dir's, for a linked worktree).</summary>
    private static bool MentionsObjectFormat(string gitDir)
    {
        var dirs = new List<string> { gitDir };
        try
        {
            var commonDir = Path.Combine(gitDir, "commondir");
            if (File.Exists(commonDir)) dirs.Add(Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(commonDir).Trim())));
            foreach (var dir in dirs)
            {
                var config = Path.Combine(dir, "config");
                if (File.Exists(config) && File.ReadAllText(config).Contains("objectformat", StringComparison.OrdinalIgnoreCase)) return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return true; }   // let git say
        return false;
    }
}
