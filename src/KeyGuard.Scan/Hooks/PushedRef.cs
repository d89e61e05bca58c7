namespace KeyGuard.Hooks;

/// <summary>One line of git's pre-push input: <c>&lt;local ref&gt; &lt;local sha&gt; &lt;remote ref&gt; &lt;remote sha&gt;</c>.</summary>
internal sealed record PushedRef(string LocalRef, string LocalSha, string RemoteRef, string RemoteSha)
{
    public static bool IsZero(string sha) => sha.Length > 0 && sha.All(c => c == '0');
    public bool DeletesBranch => IsZero(LocalSha);
    public bool CreatesBranch => IsZero(RemoteSha);

    /// <summary>Parses git's stdin; a malformed line is a usage error naming it.</summary>
    public static List<PushedRef> ReadAll(TextReader input)
    {
        var refs = new List<PushedRef>();
        int n = 0;
        while (input.ReadLine() is { } line)
        {
            n++;
            if (line.Trim().Length == 0) continue;
            var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 4 || !IsSha(parts[1]) || !IsSha(parts[3]))
                throw new InvalidInputException($"pre-push input line {n}: expected '<local ref> <local sha> <remote ref> <remote sha>', got '{line}'");
            refs.Add(new PushedRef(parts[0], parts[1], parts[2], parts[3]));
        }
        return refs;
    }

    private static bool IsSha(string s) => s.Length is 40 or 64 && s.All(char.IsAsciiHexDigit);
}
