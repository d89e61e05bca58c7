using Microsoft.Extensions.FileSystemGlobbing;

namespace KeyGuard.Sources;

/// <summary>
/// The --include/--exclude globs (with the config's) as one test of a path relative to a repository's root. The file
/// walk, the hooks' staged and pushed changes and history sweeps all select paths with it, so the same file is in or
/// out whichever way it is reached.
/// </summary>
internal static class PathSelection
{
    public static Func<string, bool> Of(IReadOnlyList<string> include, IReadOnlyList<string> exclude) => Narrowing(include, exclude) ?? (_ => true);

    public static Func<string, bool> Of(WalkOptions walk) => Of(walk.Include, walk.Exclude);

    /// <summary>The test, or null when no glob narrows the selection (every path is in: callers skip the test).</summary>
    public static Func<string, bool>? Narrowing(IReadOnlyList<string> include, IReadOnlyList<string> exclude)
    {
        if (include.Count == 0 && exclude.Count == 0) return null;
        Matcher? inc = null, exc = null;
        if (include.Count > 0) { inc = new Matcher(); inc.AddIncludePatterns(include); }
        if (exclude.Count > 0) { exc = new Matcher(); exc.AddIncludePatterns(exclude); }
        // A fixed root: Match(path) alone asks the OS for the current directory on every call.
        return path => (inc == null || inc.Match("/", path).HasMatches) && (exc == null || !exc.Match("/", path).HasMatches);
    }

    public static Func<string, bool>? Narrowing(WalkOptions walk) => Narrowing(walk.Include, walk.Exclude);
}
