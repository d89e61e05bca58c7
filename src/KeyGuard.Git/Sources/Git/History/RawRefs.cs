using System.Text.RegularExpressions;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// The refs of a repository read from its files (loose refs, then packed-refs), for when libgit2 refuses to list
/// them because one is damaged: every readable ref is still swept and every damaged one named.
/// </summary>
internal static partial class RawRefs
{
    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex Sha1();

    public static List<(string Name, ObjectId? Id, string? Problem)> Read(string gitDir)
    {
        var refs = new List<(string, ObjectId?, string?)>();
        var loose = new HashSet<string>(StringComparer.Ordinal);
        var root = Path.Combine(gitDir, "refs");
        if (Directory.Exists(root))
        {
            foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                var name = "refs/" + Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                loose.Add(name);
                string text;
                try { text = File.ReadAllText(file).Trim(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { refs.Add((name, null, $"cannot read the ref file: {e.Message}")); continue; }
                if (text.StartsWith("ref: ", StringComparison.Ordinal)) continue;   // symbolic: its target is listed itself
                refs.Add(Sha1().IsMatch(text) ? (name, new ObjectId(text), null) : (name, null, "corrupted loose reference file"));
            }
        }
        var packed = Path.Combine(gitDir, "packed-refs");
        if (File.Exists(packed))
        {
            string[] lines;
            try { lines = File.ReadAllLines(packed); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { refs.Add(("packed-refs", null, $"cannot read: {e.Message}")); return refs; }
            for (int i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                if (line.Length == 0 || line[0] == '#' || line[0] == '^') continue;   // header; peeled id of the tag above
                int space = line.IndexOf(' ');
                var sha = space > 0 ? line[..space] : "";
                var name = space > 0 ? line[(space + 1)..] : "";
                if (!Sha1().IsMatch(sha) || !name.StartsWith("refs/", StringComparison.Ordinal))
                    refs.Add(($"packed-refs:{i + 1}", null, "corrupted packed reference line"));
                else if (!loose.Contains(name))
                    refs.Add((name, new ObjectId(sha), null));
            }
        }
        return refs;
    }
}
