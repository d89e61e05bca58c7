using LibGit2Sharp;

namespace KeyGuard.Sources.Git.Staged;

/// <summary>
/// One file a change touches, with the blob to scan and the lines the change adds (1-based, in the new version).
/// <see cref="AddedLines"/> null means every line counts: a new file, or --all-staged.
/// </summary>
internal sealed record ChangedFile(string Path, ObjectId Blob, IReadOnlySet<int>? AddedLines)
{
    public string? OldPath { get; init; }

    public bool Counts(int line) => AddedLines == null || AddedLines.Contains(line);
}
