using System.Diagnostics;

namespace KeyGuard.Sources.Git;

/// <summary>
/// Every git process KeyGuard starts is set up here, so that none runs code a scanned repository names in its own
/// config: no fsmonitor (git diff-tree starts it), no hooks, no pager, no external diff or textconv, no ext::
/// transport, and no prompt. Replace refs are ignored: they would let a repository show git a different object
/// than the one it stores.
/// </summary>
internal static class SafeGit
{
    /// <summary>The <c>-c</c> settings given before every git command (command-line config wins over the repository's).</summary>
    public static readonly IReadOnlyList<string> HardeningConfig =
    [
        "core.fsmonitor=false",
        "core.hooksPath=/dev/null",
        "core.pager=cat",
        "diff.external=",
        "protocol.ext.allow=never",
        "core.untrackedCache=false",
    ];

    public static ProcessStartInfo StartInfo(string? workingDirectory, IEnumerable<string> args, bool redirectStdin = false)
    {
        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardInput = redirectStdin, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (workingDirectory != null) psi.WorkingDirectory = workingDirectory;
        psi.ArgumentList.Add("--no-replace-objects");
        foreach (var setting in HardeningConfig)
        {
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(setting);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GIT_TERMINAL_PROMPT"] = "0";   // never wait for a password nobody will type
        psi.Environment["GIT_OPTIONAL_LOCKS"] = "0";    // a scan never writes to the repository
        psi.Environment["GIT_NO_REPLACE_OBJECTS"] = "1";
        psi.Environment["GIT_PAGER"] = "cat";
        psi.Environment.Remove("GIT_EXTERNAL_DIFF");
        return psi;
    }
}
