using LibGit2Sharp;

namespace KeyGuard.Sources.Git.Staged;

/// <summary>
/// Added lines when git gives no line diff because it thinks the file is binary (a NUL byte, e.g. UTF-16), though
/// KeyGuard decodes it as text: a line of the new version counts as added unless the old version has the same
/// line (multiset difference). Cruder than a real diff, never misses an added line.
/// </summary>
internal static class LineDifference
{
    public static IReadOnlySet<int> Added(Repository repo, ObjectId oldBlob, ObjectId newBlob)
    {
        var old = Lines(repo, oldBlob);
        var remaining = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in old) remaining[line] = remaining.GetValueOrDefault(line) + 1;
        var added = new HashSet<int>();
        var lines = Lines(repo, newBlob);
        for (int i = 0; i < lines.Count; i++)
        {
            if (remaining.TryGetValue(lines[i], out int n) && n > 0) { remaining[lines[i]] = n - 1; continue; }
            added.Add(i + 1);
        }
        return added;
    }

    private static List<string> Lines(Repository repo, ObjectId id)
    {
        var blob = repo.Lookup<Blob>(id);
        if (blob == null) return [];
        using var stream = blob.GetContentStream();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var encoding = TextDecoder.Choose(bytes, out int bom);
        return encoding.GetString(bytes[bom..]).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
    }
}
