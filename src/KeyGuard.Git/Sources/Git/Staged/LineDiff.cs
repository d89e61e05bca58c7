namespace KeyGuard.Sources.Git.Staged;

/// <summary>
/// Which lines of a new version are added: those outside a longest common subsequence with the old version (Myers'
/// O(ND) diff, after trimming the common head and tail). Done here rather than through LibGit2Sharp's Patch, whose
/// line callback crashes under NativeAOT. Past <see cref="MaxEdits"/> edits a cheaper rule is used: a line is added
/// unless the old version has the same line (never misses an added line, may include a moved one).
/// </summary>
internal static class LineDiff
{
    public const int MaxEdits = 2000;

    /// <summary>1-based numbers of the lines of <paramref name="newer"/> that <paramref name="older"/> does not have.</summary>
    public static HashSet<int> Added(IReadOnlyList<string> older, IReadOnlyList<string> newer)
    {
        int head = 0;
        while (head < older.Count && head < newer.Count && older[head] == newer[head]) head++;
        int tail = 0;
        while (tail < older.Count - head && tail < newer.Count - head && older[^(tail + 1)] == newer[^(tail + 1)]) tail++;

        // Lines become small integers so the inner loop compares ints, not strings.
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string s) { if (!ids.TryGetValue(s, out int id)) ids[s] = id = ids.Count; return id; }
        var a = new int[older.Count - head - tail];
        var b = new int[newer.Count - head - tail];
        for (int i = 0; i < a.Length; i++) a[i] = Id(older[head + i]);
        for (int j = 0; j < b.Length; j++) b[j] = Id(newer[head + j]);

        var matched = Myers(a, b) ?? Multiset(a, b);
        var added = new HashSet<int>();
        for (int j = 0; j < b.Length; j++) if (!matched[j]) added.Add(head + j + 1);
        return added;
    }

    /// <summary>For each line of <paramref name="b"/>, whether it is kept from <paramref name="a"/>; null past MaxEdits.</summary>
    private static bool[]? Myers(int[] a, int[] b)
    {
        int n = a.Length, m = b.Length, max = n + m;
        var matched = new bool[m];
        if (max == 0) return matched;
        int offset = max + 1;
        var v = new int[2 * max + 3];
        var trace = new List<int[]>();
        for (int d = 0; d <= max && d <= MaxEdits; d++)
        {
            // Snapshot of the furthest x per diagonal before step d, for k in [-d, d].
            var snap = new int[2 * d + 1];
            Array.Copy(v, offset - d, snap, 0, 2 * d + 1);
            trace.Add(snap);
            for (int k = -d; k <= d; k += 2)
            {
                int x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && a[x] == b[y]) { x++; y++; }
                v[offset + k] = x;
                if (x >= n && y >= m) { Backtrack(trace, n, m, matched); return matched; }
            }
        }
        return null;
    }

    private static void Backtrack(List<int[]> trace, int x, int y, bool[] matched)
    {
        for (int d = trace.Count - 1; d >= 0; d--)
        {
            var before = trace[d];
            int k = x - y;
            int Get(int kk) => before[kk + d];
            int prevK = k == -d || (k != d && Get(k - 1) < Get(k + 1)) ? k + 1 : k - 1;
            int prevX = d == 0 ? 0 : Get(prevK);
            int prevY = d == 0 ? 0 : prevX - prevK;
            int startX = d == 0 ? 0 : prevK == k + 1 ? prevX : prevX + 1;
            int startY = startX - k;
            // The snake of step d: matched lines.
            while (x > startX && y > startY) { x--; y--; matched[y] = true; }
            x = prevX;
            y = prevY;
        }
    }

    private static bool[] Multiset(int[] a, int[] b)
    {
        var remaining = new Dictionary<int, int>();
        foreach (var id in a) remaining[id] = remaining.GetValueOrDefault(id) + 1;
        var matched = new bool[b.Length];
        for (int j = 0; j < b.Length; j++)
            if (remaining.TryGetValue(b[j], out int c) && c > 0) { remaining[b[j]] = c - 1; matched[j] = true; }
        return matched;
    }
}
