using System.Reflection;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// Opens a blob's content with one read of the object database. <c>repo.Lookup&lt;Blob&gt;</c> reads (and inflates,
/// resolving its delta chain) the whole object, then <c>Blob.GetContentStream()</c> reads it once for <c>Size</c> and
/// once more for the stream: a 4 MB file at the end of a 50-deep delta chain was rebuilt three times. Here the size
/// comes from the object header (cheap) and the stream is opened directly through LibGit2Sharp's internal proxy, the
/// call <c>GetContentStream</c> itself makes. If that internal API is not there (another LibGit2Sharp version), the
/// public path is used.
/// </summary>
internal static class BlobReader
{
    private static readonly PropertyInfo? RepositoryHandle =
        typeof(Repository).GetProperty("Handle", BindingFlags.NonPublic | BindingFlags.Instance);
    private static readonly MethodInfo? RawContentStream = FindRawContentStream();

    // Trimmed away (NativeAOT) or renamed (another LibGit2Sharp), the method is null and Open takes the public path:
    // the analyzer's warning is about exactly the case this code handles.
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "null falls back to the public API")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "null falls back to the public API")]
    private static MethodInfo? FindRawContentStream() => RepositoryHandle == null ? null :
        typeof(Repository).Assembly.GetType("LibGit2Sharp.Core.Proxy")?.GetMethod("git_blob_rawcontent_stream",
            BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static, [RepositoryHandle.PropertyType, typeof(ObjectId), typeof(long)]);

    /// <summary>The content stream (its Length is the blob's size). Throws LibGit2SharpException for a missing or corrupt object.</summary>
    public static Stream Open(Repository repo, ObjectId id)
    {
        if (RawContentStream != null)
        {
            var size = repo.ObjectDatabase.RetrieveObjectMetadata(id).Size;
            try
            {
                return (Stream)RawContentStream.Invoke(null, [RepositoryHandle!.GetValue(repo), id, size])!;
            }
            catch (TargetInvocationException e) when (e.InnerException is LibGit2SharpException inner)
            {
                throw inner;
            }
        }
        var blob = repo.Lookup<Blob>(id) ?? throw new LibGit2SharpException("object missing from the object database");
        return blob.GetContentStream();
    }

    /// <summary>True when the one-read path is available (tests check it so a LibGit2Sharp upgrade cannot silently slow sweeps).</summary>
    public static bool Direct => RawContentStream != null;
}
