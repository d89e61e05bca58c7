using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>Enumerates the whole object database, one object at a time; a corrupt object becomes an error, not an end.</summary>
internal static class UnreachableObjects
{
    public static IEnumerable<GitObject> Enumerate(Repository repo, List<(string Where, string Message)> errors)
    {
        using var objects = repo.ObjectDatabase.GetEnumerator();
        while (true)
        {
            GitObject? current;
            try
            {
                if (!objects.MoveNext()) yield break;
                current = objects.Current;
            }
            catch (LibGit2SharpException e)
            {
                // The enumerator cannot resume after a failed lookup; say where it stopped.
                errors.Add(("object database", $"listing stopped at an unreadable object: {e.Message}"));
                yield break;
            }
            if (current != null) yield return current;
        }
    }
}
