using KeyGuard.Scanning;
using KeyGuard.Sources;
using KeyGuard.Sources.Git.Staged;

namespace KeyGuard.Hooks;

/// <summary>
/// pre-commit: secrets on the lines the commit adds, read from the index (what will be committed), not from the
/// working tree. Also the check prepare-commit-msg runs for a merge, whose result is staged the same way.
/// </summary>
public static class StagedCheck
{
    public static ScanResult Run(HookContext ctx, bool allStaged)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = new ScanResult();
        var files = GitChanges.Staged(ctx.Repo, allStaged);
        ctx.Changes.Run(files, f => new Provenance(f.Path, SourceKind.Index), result);
        ctx.Finish(result);
        result.Stats.DurationMs = clock.ElapsedMilliseconds;
        return result;
    }
}
