using System.Runtime.InteropServices;

namespace KeyGuard.Sources.Git;

/// <summary>
/// libgit2's process-wide memory settings, which LibGit2Sharp does not expose. By default libgit2 maps pack files in
/// 1 GB windows with an 8 GB ceiling, and every mapped page it touches stays resident: a history sweep's memory grew
/// with the size of the pack. Smaller windows under a fixed ceiling bound it; libgit2 unmaps the least recently used.
/// </summary>
internal static class LibGit2Limits
{
    // LibGit2Sharp 0.32's native library (LibGit2Sharp.Core.NativeDllName.Name); a test fails if an upgrade renames it.
    internal const string Library = "git2-5853918";
    private const int GetMwindowSize = 0, SetMwindowSize = 1, GetMwindowMappedLimit = 2, SetMwindowMappedLimit = 3, SetCacheMaxSize = 7;

    [DllImport(Library, EntryPoint = "git_libgit2_opts")]
    private static extern int SetSize(int option, nuint value);

    [DllImport(Library, EntryPoint = "git_libgit2_opts")]
    private static extern int SetSsize(int option, nint value);

    [DllImport(Library, EntryPoint = "git_libgit2_opts")]
    private static extern int GetSize(int option, out nuint value);

    public const long PackWindowBytes = 32L << 20;
    public const long PackMappedLimitBytes = 128L << 20;
    public const long ObjectCacheBytes = 64L << 20;

    private static readonly Lazy<bool> Applied = new(ApplyOnce);

    /// <summary>Applies the bounds once per process (after LibGit2Sharp has initialised libgit2). False if the
    /// native library could not be called: the sweep still works, with libgit2's defaults.</summary>
    public static bool Apply() => Applied.Value;

    private static bool ApplyOnce()
    {
        try
        {
            _ = LibGit2Sharp.GlobalSettings.Version;   // makes LibGit2Sharp load and initialise libgit2 first
            return SetSize(SetMwindowSize, (nuint)PackWindowBytes) == 0
                   && SetSize(SetMwindowMappedLimit, (nuint)PackMappedLimitBytes) == 0
                   && SetSsize(SetCacheMaxSize, (nint)ObjectCacheBytes) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>The current pack window size and mapped ceiling (for tests).</summary>
    public static (long Window, long MappedLimit) Current()
    {
        GetSize(GetMwindowSize, out var window);
        GetSize(GetMwindowMappedLimit, out var limit);
        return ((long)window, (long)limit);
    }
}
