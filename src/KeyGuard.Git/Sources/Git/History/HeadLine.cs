using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>A secret's state on HEAD's first-parent line.</summary>
internal readonly record struct HeadState(bool PresentAtHead, string? RemovedIn);

/// <summary>
/// Replays the recorded first-parent changes along HEAD's first-parent line, oldest first, tracking which paths hold
/// a blob with each secret. No tree is listed and nothing is diffed again: the walk already recorded the changes.
/// removedIn is the commit whose tree stopped containing the secret (the last such drop, since a secret re-added
/// later and still at HEAD has no removal); null while it is present at HEAD or never reached this line.
/// </summary>
/// <remarks>Without a libgit2 handle (<paramref name="repo"/> null: a SHA-256 repository), HEAD is
/// <paramref name="headCommit"/> and <paramref name="firstParentsFrom"/> (git) walks on past the swept commits.</remarks>
internal sealed class HeadLine(Repository? repo, HistoryIndex index, ObjectId? headCommit = null,
    Func<ObjectId, IEnumerable<ObjectId>>? firstParentsFrom = null)
{
    public Dictionary<string, HeadState> Track(IReadOnlyDictionary<int, List<string>> fingerprintsByBlob)
    {
        var states = new Dictionary<string, HeadState>(StringComparer.Ordinal);
        if (fingerprintsByBlob.Count == 0 || HeadCommit() is not { } headId) return states;

        var line = FirstParentLine(headId);
        line.Reverse();
        var present = new Dictionary<int, int>();            // path -> blob holding a secret there
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var removedIn = new Dictionary<string, string?>(StringComparer.Ordinal);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ci in line)
        {
            touched.Clear();
            foreach (var change in index.FirstParentChanges[ci])
            {
                if (change.OldBlob >= 0 && present.TryGetValue(change.Path, out int was) && was == change.OldBlob)
                {
                    present.Remove(change.Path);
                    Adjust(fingerprintsByBlob, change.OldBlob, counts, touched, -1);
                }
                if (change.NewBlob >= 0 && fingerprintsByBlob.ContainsKey(change.NewBlob))
                {
                    if (present.TryGetValue(change.Path, out int old)) Adjust(fingerprintsByBlob, old, counts, touched, -1);
                    present[change.Path] = change.NewBlob;
                    Adjust(fingerprintsByBlob, change.NewBlob, counts, touched, +1);
                }
            }
            foreach (var fp in touched)
                removedIn[fp] = counts.GetValueOrDefault(fp) > 0 ? null : index.Commits[ci].Sha;
        }
        foreach (var (fp, n) in counts) states[fp] = new HeadState(n > 0, n > 0 ? null : removedIn.GetValueOrDefault(fp));
        return states;
    }

    /// <summary>HEAD's first-parent line as swept commits, newest first. The walk recorded each first parent, so a
    /// full sweep reads no commit again. From a first parent the sweep did not take (HEAD on an unswept branch, a
    /// range's edge, an unreadable commit) libgit2 walks on, and the swept commits further down still count.</summary>
    private List<int> FirstParentLine(ObjectId head)
    {
        var line = new List<int>();
        if (index.CommitIndexById.TryGetValue(head, out int at))
        {
            for (; ; at = index.FirstParents[at])
            {
                line.Add(at);
                if (index.FirstParentsOutside.TryGetValue(at, out var outside)) { head = outside; break; }
                if (index.FirstParents[at] < 0) return line;
            }
        }
        if (repo == null)
        {
            foreach (var id in firstParentsFrom?.Invoke(head) ?? [])
                if (index.CommitIndexById.TryGetValue(id, out int ci)) line.Add(ci);
            return line;
        }
        try
        {
            foreach (var commit in repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = head, FirstParentOnly = true }))
                if (index.CommitIndexById.TryGetValue(commit.Id, out int ci)) line.Add(ci);
        }
        catch (LibGit2SharpException) { /* the line ends at a commit the sweep already reported as unreadable */ }
        return line;
    }

    /// <summary>HEAD's commit, or null when HEAD is unborn or cannot be read (the selector reported that).</summary>
    private ObjectId? HeadCommit()
    {
        if (repo == null) return headCommit;
        try { return repo.Info.IsHeadUnborn ? null : repo.Head.Tip?.Id; }
        catch (LibGit2SharpException) { return null; }
    }

    private static void Adjust(IReadOnlyDictionary<int, List<string>> fingerprintsByBlob, int blob, Dictionary<string, int> counts,
        HashSet<string> touched, int delta)
    {
        if (!fingerprintsByBlob.TryGetValue(blob, out var fps)) return;
        foreach (var fp in fps)
        {
            counts[fp] = counts.GetValueOrDefault(fp) + delta;
            touched.Add(fp);
        }
    }
}
