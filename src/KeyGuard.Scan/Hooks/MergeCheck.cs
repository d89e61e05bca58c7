using KeyGuard.Scanning;

namespace KeyGuard.Hooks;

/// <summary>
/// prepare-commit-msg during a merge. <c>git merge</c> does not run pre-commit, so secrets that arrive from the other
/// branch would slip in; git-secrets closes that gap here, and so does KeyGuard: when MERGE_HEAD exists the staged
/// merge result is checked against HEAD, i.e. everything the merge brings in.
/// </summary>
internal static class MergeCheck
{
    public static bool InMerge(HookContext ctx) => File.Exists(Path.Combine(ctx.GitDir, "MERGE_HEAD"));

    public static ScanResult Run(HookContext ctx) => InMerge(ctx) ? StagedCheck.Run(ctx, allStaged: false) : new ScanResult();
}
