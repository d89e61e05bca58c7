using LibGit2Sharp;

namespace KeyGuard.Sources.Git;

/// <summary>
/// An annotated tag's message as content to scan (release notes are a classic place to paste a key). Read here, and
/// only here, for history sweeps, org scans and the push hooks, through libgit2 or through git, so the label, the
/// tagged commit and the tagger are the same whichever way a tag is reached.
/// </summary>
internal sealed record TagMessage(string TagId, string Name, string Text, string? Commit, GitSignature? Tagger)
{
    /// <summary>Provenance of the message: the tagged commit, the tagger as author, and the tag object as the object
    /// the text was read from.</summary>
    public Provenance Source => new(TagMessages.PathFor(Name), SourceKind.TagMessage)
    {
        Commit = Commit, Author = Tagger?.Name, Email = Tagger?.Email, Date = Tagger?.When, BlobId = TagId,
    };

    /// <summary>Through libgit2: the chain of annotated tags starting at <paramref name="start"/> (a tag of a tag names
    /// both), none when it is no tag. <paramref name="fallbackName"/> names a tag object without a name.</summary>
    public static IEnumerable<TagMessage> Chain(GitObject? start, string fallbackName)
    {
        for (var obj = start; obj is TagAnnotation tag; obj = tag.Target) yield return Of(tag, fallbackName);
    }

    /// <summary>One tag object through libgit2; throws <see cref="LibGit2SharpException"/> when it cannot be read.</summary>
    public static TagMessage Of(TagAnnotation tag, string fallbackName)
    {
        GitObject? target = tag.Target;
        while (target is TagAnnotation inner) target = inner.Target;
        var tagger = tag.Tagger is { } t ? new GitSignature(t.Name, t.Email, t.When) : null;
        return new TagMessage(tag.Sha, tag.Name ?? fallbackName, tag.Message ?? "", (target as Commit)?.Sha, tagger);
    }

    /// <summary>
    /// Through git (repositories libgit2 cannot open): the chain of annotated tags starting at <paramref name="id"/>,
    /// read with <paramref name="read"/>. Stops at the first object that is not a tag; <paramref name="missing"/> is
    /// called with the id of an object the object database does not hold, or of a tag the chain names that is no tag.
    /// </summary>
    public static IEnumerable<TagMessage> Chain(Func<string, RawGitObject?> read, string id, string fallbackName, Action<string>? missing = null)
    {
        string? next = id;
        for (int hops = 0; next != null && hops < 64; hops++)
        {
            var obj = read(next);
            if (obj is not { Type: "tag" } tag)
            {
                if (obj == null || hops > 0) missing?.Invoke(next);
                yield break;
            }
            var text = GitObjectText.Parse(tag.Content);
            yield return new TagMessage(tag.Id, text.Header("tag") ?? fallbackName, text.Message, Peel(read, text),
                GitObjectText.Signature(text.Header("tagger")));
            next = text.Header("type") == "tag" ? text.Header("object") : null;
        }
    }

    /// <summary>The commit a tag finally points at, through tags of tags; null for a tag of a tree or blob.</summary>
    private static string? Peel(Func<string, RawGitObject?> read, GitObjectText tag)
    {
        for (int hops = 0; hops < 64; hops++)
        {
            var type = tag.Header("type");
            var target = tag.Header("object");
            if (type == "commit") return target;
            if (type != "tag" || target == null || read(target) is not { Type: "tag" } inner) return null;
            tag = GitObjectText.Parse(inner.Content);
        }
        return null;
    }
}
