namespace KeyGuard.Sources;

/// <summary>Where a fragment of text came from.</summary>
public enum SourceKind { File, Stdin, Index, Commit, CommitMessage }

/// <summary>Provenance of scanned text: the path plus, for git sources, the commit and its author.</summary>
public sealed record Provenance(string Path, SourceKind Kind = SourceKind.File)
{
    public string? Commit { get; init; }
    public string? Author { get; init; }
    public string? Email { get; init; }
    public DateTimeOffset? Date { get; init; }
    public string? BlobId { get; init; }
    /// <summary>The path's bytes, when they are not UTF-8 (<see cref="Path"/> then shows them as <c>\xNN</c>).</summary>
    public byte[]? PathBytes { get; init; }
}
