namespace KeyGuard.Hooks;

/// <summary>
/// Writes KeyGuard's hook scripts into a hooks directory and takes them out again. A hook that is already there is
/// never lost: it is kept as NAME.keyguard-chained and run first (or, with --force, kept as NAME.keyguard-replaced
/// and not run). Every script KeyGuard writes carries <see cref="Marker"/>, so uninstall removes exactly those and
/// puts back what install moved aside.
/// </summary>
internal static class HookInstaller
{
    public static readonly string[] HookNames = ["pre-commit", "prepare-commit-msg", "commit-msg", "pre-push"];
    /// <summary>The server-side hook <c>install --server</c> writes into a (bare) repository that receives pushes.</summary>
    public static readonly string[] ServerHookNames = ["pre-receive"];
    public const string Marker = "# keyguard-hook:";
    public const string ChainedSuffix = ".keyguard-chained";
    public const string ReplacedSuffix = ".keyguard-replaced";

    /// <summary>The script for <paramref name="hook"/>, from hooks/ in the repository (embedded), filled in.</summary>
    public static string Script(string hook, string installedFrom, bool global, string receiveArgs = "")
    {
        using var stream = typeof(HookInstaller).Assembly.GetManifestResourceStream("hooks." + hook)
                           ?? throw new InvalidOperationException($"hook script '{hook}' is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd()
            .Replace("@KEYGUARD_SCOPE@", global ? "global" : "repo")
            .Replace("@KEYGUARD_INSTALLED_FROM@", installedFrom.Replace("'", ""))
            .Replace("@KEYGUARD_RECEIVE_ARGS@", receiveArgs.Replace("'", ""));
    }

    public static bool IsOurs(string path) =>
        File.Exists(path) && File.ReadLines(path).Take(3).Any(l => l.StartsWith(Marker, StringComparison.Ordinal));

    /// <summary>Installs every hook into <paramref name="dir"/>; returns one line per hook saying what was done.</summary>
    public static List<string> Install(string dir, bool force, string installedFrom, bool global, IReadOnlyList<string>? hooks = null, string receiveArgs = "")
    {
        Directory.CreateDirectory(dir);
        var done = new List<string>();
        foreach (var hook in hooks ?? HookNames)
        {
            var path = Path.Combine(dir, hook);
            string what;
            if (!File.Exists(path) && !IsSymlink(path)) what = "installed";
            else if (IsOurs(path)) what = "updated";
            else if (File.Exists(path + ChainedSuffix) || File.Exists(path + ReplacedSuffix))
                throw new InvalidInputException($"{path}: not KeyGuard's, and {Path.GetFileName(path)}{ChainedSuffix} or {ReplacedSuffix} already exists; move one of them away first");
            else if (force) { File.Move(path, path + ReplacedSuffix); what = $"installed (the existing hook was replaced; kept as {hook}{ReplacedSuffix})"; }
            else { File.Move(path, path + ChainedSuffix); what = $"installed (the existing hook still runs first, as {hook}{ChainedSuffix})"; }
            Write(path, Script(hook, installedFrom, global, receiveArgs));
            done.Add($"{hook}: {what}");
        }
        return done;
    }

    /// <summary>Removes KeyGuard's scripts and restores what install moved aside; leaves anything else alone.</summary>
    public static List<string> Uninstall(string dir, IReadOnlyList<string>? hooks = null)
    {
        var done = new List<string>();
        foreach (var hook in hooks ?? HookNames)
        {
            var path = Path.Combine(dir, hook);
            if (File.Exists(path) && !IsOurs(path)) { done.Add($"{hook}: left alone (not written by keyguard)"); continue; }
            bool removed = File.Exists(path);
            if (removed) File.Delete(path);
            string? restored = null;
            foreach (var suffix in new[] { ChainedSuffix, ReplacedSuffix })
            {
                if (!File.Exists(path + suffix) || File.Exists(path)) continue;
                File.Move(path + suffix, path);
                restored = hook + suffix;
            }
            if (removed || restored != null)
                done.Add($"{hook}: {(removed ? "removed" : "not installed")}{(restored != null ? $"; restored the previous hook from {restored}" : "")}");
        }
        return done;
    }

    private static bool IsSymlink(string path) => new FileInfo(path).LinkTarget != null;

    private static void Write(string path, string text)
    {
        // Replace atomically so a commit running at the same moment never sees half a script.
        var temp = path + ".keyguard-tmp";
        File.WriteAllText(temp, text);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                       | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.Move(temp, path, overwrite: true);
    }
}
