using LibGit2Sharp;

namespace KeyGuard.Sources.Git.Staged;

/// <summary>
/// One file a change touches, with the blob to scan and the lines the change adds (1-based, in the new version).
/// <see cref="AddedLines"/> null means every line counts: a new file, or --all-staged.
/// </summary>
internal sealed record ChangedFile(string Path, ObjectId Blob, IReadOnlySet<int>? AddedLines)
{
    public string? OldPath { get; init; }

    /// <summary>The blob's full id: <see cref="Blob"/>'s, or a SHA-256 id (64 hex digits) that ObjectId cannot hold,
    /// when the change was read through git (<see cref="Blob"/> is then zero).</summary>
    public string BlobHex { get => _blobHex ?? Blob.Sha; init => _blobHex = value; }
    private readonly string? _blobHex;

    public bool Counts(int line) => AddedLines == null || AddedLines.Contains(line);
}
