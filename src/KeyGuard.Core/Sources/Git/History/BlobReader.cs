using System.Reflection;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// Opens a blob's content with one read of the object database. <c>repo.Lookup&lt;Blob&gt;</c> reads (and inflates,
/// resolving its delta chain) the whole object, then <c>Blob.Size</c> and <c>GetContentStream()</c> each read it again;
/// for a 4 MB file at the end of a 50-deep delta chain that triple work dominated the sweep. A Blob handle made
/// directly (LibGit2Sharp's internal constructor, as <c>Lookup</c> itself does) defers the single read to the stream.
/// </summary>
internal static class BlobReader
{
    private static readonly ConstructorInfo? DirectBlob = typeof(Blob).GetConstructor(
        BindingFlags.NonPublic | BindingFlags.Instance, [typeof(Repository), typeof(ObjectId)]);

    /// <summary>The content stream (its Length is the blob's size). Throws LibGit2SharpException for a missing or corrupt object.</summary>
    public static Stream Open(Repository repo, ObjectId id)
    {
        var blob = DirectBlob?.Invoke([repo, id]) as Blob
                   ?? repo.Lookup<Blob>(id)
                   ?? throw new LibGit2SharpException("object missing from the object database");
        return blob.GetContentStream();
    }
}
