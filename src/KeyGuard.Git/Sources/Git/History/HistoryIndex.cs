using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>A commit as reports need it; commits are numbered oldest first, so a smaller index is older.</summary>
internal sealed record CommitInfo(int Index, string Sha, string Author, string Email, DateTimeOffset Date);

/// <summary>A place that added a blob: a commit (or -1 for an unreachable blob) and a path index.</summary>
internal readonly record struct BlobPlace(int Commit, int Path);

/// <summary>A distinct blob and every (commit, path) that added it.</summary>
internal sealed class BlobRecord(int index, ObjectId id, BlobPlace first)
{
    public int Index { get; } = index;
    public ObjectId Id { get; } = id;
    public BlobPlace First { get; } = first;
    public List<BlobPlace> Places { get; } = [first];
}

/// <summary>One path's change between a commit and its first parent, as blob indexes (-1: none, or not a scanned blob).</summary>
internal readonly record struct PathChange(int Path, int OldBlob, int NewBlob);

/// <summary>
/// What the walk learned, holding only ids, small records and interned paths (never blob content), so memory is
/// bounded by the number of distinct blobs and changes, not by their size.
/// </summary>
internal sealed class HistoryIndex
{
    public List<CommitInfo> Commits { get; } = [];
    public List<BlobRecord> Blobs { get; } = [];
    public Dictionary<ObjectId, int> BlobIndexById { get; } = [];
    /// <summary>Per commit: changes against its first parent (or the empty tree), to replay HEAD's line.</summary>
    public List<PathChange[]> FirstParentChanges { get; } = [];
    public Dictionary<ObjectId, int> CommitIndexById { get; } = [];
    /// <summary>Per commit: its first parent's index, or -1 for a root; a first parent the sweep did not take (outside a
    /// range, or unreadable) is in <see cref="FirstParentsOutside"/> instead.</summary>
    public List<int> FirstParents { get; } = [];
    public Dictionary<int, ObjectId> FirstParentsOutside { get; } = [];
    /// <summary>Submodule (gitlink) paths and the last commit they pointed at.</summary>
    public Dictionary<string, string> Submodules { get; } = new(StringComparer.Ordinal);

    private readonly List<string> _paths = [];
    private readonly Dictionary<string, int> _pathIndex = new(StringComparer.Ordinal);

    public string PathOf(int index) => _paths[index];

    public int InternPath(string path)
    {
        if (_pathIndex.TryGetValue(path, out int i)) return i;
        _paths.Add(path);
        _pathIndex[path] = _paths.Count - 1;
        return _paths.Count - 1;
    }

    public int BlobIndexOf(ObjectId? id) => id != null && BlobIndexById.TryGetValue(id, out int i) ? i : -1;

    /// <summary>Records a place for a blob; returns the record when the blob is new (so it gets scanned once).</summary>
    public BlobRecord? AddPlace(ObjectId id, BlobPlace place)
    {
        if (BlobIndexById.TryGetValue(id, out int i))
        {
            var known = Blobs[i];
            // A blob re-added at the same path by a later commit (revert, cherry-pick) is one more occurrence.
            known.Places.Add(place);
            return null;
        }
        var record = new BlobRecord(Blobs.Count, id, place);
        Blobs.Add(record);
        BlobIndexById[id] = record.Index;
        return record;
    }
}
