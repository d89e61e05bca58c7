namespace KeyGuard.Sources;

/// <summary>Where a fragment of text came from.</summary>
public enum SourceKind { File, Stdin, Index, Commit, CommitMessage, TagMessage }

/// <summary>The path a finding in a commit message is reported at, in sweeps, hooks and org scans alike.</summary>
internal static class CommitMessages
{
    public const string Path = "<commit message>";
}

/// <summary>The path a finding in an annotated tag's message is reported at, in sweeps and hooks alike.</summary>
internal static class TagMessages
{
    private const string Prefix = "<tag message: ";

    public static string PathFor(string tagName) => $"{Prefix}{tagName}>";

    public static string? NameFrom(string path) =>
        path.StartsWith(Prefix, StringComparison.Ordinal) && path.EndsWith('>') ? path[Prefix.Length..^1] : null;
}

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
