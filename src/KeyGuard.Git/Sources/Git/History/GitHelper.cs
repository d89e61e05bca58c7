using System.Diagnostics;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// Starts a git plumbing command for a sweep: on the repository's git dir, with pack windows bounded like KeyGuard's
/// own libgit2 settings (git's resident memory stays flat on any history), never prompting, stderr drained (if git
/// fails, the sweep reads that part through libgit2, which words the error).
/// </summary>
internal static class GitHelper
{
    public static bool Available => GitCli.Available;

    public static Process Start(string gitDir, bool withStdin, params string[] args)
    {
        var psi = SafeGit.StartInfo(null, ["--git-dir", gitDir, "-c", "core.packedGitWindowSize=32m", "-c", "core.packedGitLimit=128m", .. args], withStdin);
        var git = Process.Start(psi) ?? throw new InvalidOperationException("git did not start");
        git.ErrorDataReceived += (_, _) => { };
        git.BeginErrorReadLine();
        return git;
    }

    /// <summary>What starting git can throw: the sweep then reads through libgit2.</summary>
    public static bool StartFailed(Exception e) => e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException;
}
