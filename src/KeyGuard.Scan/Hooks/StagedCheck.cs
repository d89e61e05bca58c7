using KeyGuard.Scanning;
using KeyGuard.Sources;
using KeyGuard.Sources.Git.Staged;

namespace KeyGuard.Hooks;

/// <summary>
/// pre-commit: secrets on the lines the commit adds, read from the index (what will be committed), not from the
/// working tree. Also the check prepare-commit-msg runs for a merge, whose result is staged the same way.
/// </summary>
internal static class StagedCheck
{
    /// <param name="only">When given (the file names the pre-commit framework passes), only these staged paths.</param>
    public static ScanResult Run(HookContext ctx, bool allStaged, IReadOnlyCollection<string>? only = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = new ScanResult();
        var files = ctx.Git is { } git ? git.Staged(allStaged) : GitChanges.Staged(ctx.Repo, allStaged);
        if (only != null)
        {
            var wanted = new HashSet<string>(only.Select(n => n.StartsWith("./", StringComparison.Ordinal) ? n[2..] : n), StringComparer.Ordinal);
            files.RemoveAll(f => !wanted.Contains(f.Path));
        }
        ctx.Changes.Run(files, f => new Provenance(f.Path, SourceKind.Index), result);
        ctx.Finish(result);
        result.Stats.DurationMs = clock.ElapsedMilliseconds;
        return result;
    }

    /// <summary>True when the index holds nothing that differs from HEAD (nothing would be committed).</summary>
    public static bool NothingStaged(HookContext ctx) =>
        (ctx.Git is { } git ? git.Staged(wholeFiles: true) : GitChanges.Staged(ctx.Repo, wholeFiles: true)).Count == 0;
}
