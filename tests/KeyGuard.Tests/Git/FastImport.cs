using System.Diagnostics;
using System.Text;

namespace KeyGuard.Tests.Git;

/// <summary>
/// Makes a long history in seconds with <c>git fast-import</c>: <paramref name="commits"/> commits on one branch, each
/// rewriting one of a few files with generated text (no credentials). For tests that need a sweep or a server-side
/// check that takes a while.
/// </summary>
internal static class FastImport
{
    public static void LinearHistory(string repoDir, string branch, int commits, int files = 50, int firstCommit = 1, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("git", ["fast-import", "--quiet", "--force"])
        {
            WorkingDirectory = repoDir, RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var git = Process.Start(psi)!;
        var errors = git.StandardError.ReadToEndAsync();
        using (var stdin = new StreamWriter(git.StandardInput.BaseStream, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" })
        {
            for (int i = firstCommit; i < firstCommit + commits; i++)
            {
                var message = $"generated commit {i}\n";
                var data = new StringBuilder().Insert(0, $"generated line {i} ", 20).Append('\n').ToString();
                stdin.Write($"commit refs/heads/{branch}\ncommitter Generator <generator@example.com> {1_700_000_000 + i} +0000\n");
                stdin.Write($"data {Encoding.UTF8.GetByteCount(message)}\n{message}");
                if (i == firstCommit && firstCommit > 1) stdin.Write($"from refs/heads/{branch}^0\n");
                stdin.Write($"M 100644 inline generated/f{i % files}.txt\ndata {Encoding.UTF8.GetByteCount(data)}\n{data}\n");
            }
        }
        if (!git.WaitForExit(300_000)) { git.Kill(); throw new TimeoutException("git fast-import hung"); }
        if (git.ExitCode != 0) throw new InvalidOperationException($"git fast-import failed: {errors.Result}");
    }
}
