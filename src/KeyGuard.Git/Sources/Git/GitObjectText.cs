using System.Text;

namespace KeyGuard.Sources.Git;

/// <summary>A person line of a commit or tag object (<c>author</c>, <c>tagger</c>): name, email and when.</summary>
internal sealed record GitSignature(string Name, string Email, DateTimeOffset? When);

/// <summary>
/// The headers and message of a commit or annotated tag object as git stores it (<c>git cat-file commit|tag</c>): what
/// the git-only readers need where libgit2 cannot open the repository (SHA-256).
/// </summary>
internal sealed class GitObjectText
{
    public Dictionary<string, List<string>> Headers { get; } = new(StringComparer.Ordinal);
    public string Message { get; private set; } = "";

    public string? Header(string name) => Headers.TryGetValue(name, out var values) ? values[0] : null;

    public static GitObjectText Parse(byte[] content)
    {
        var text = Encoding.UTF8.GetString(content);
        var parsed = new GitObjectText();
        int pos = 0;
        string? last = null;
        while (pos < text.Length)
        {
            int nl = text.IndexOf('\n', pos);
            if (nl < 0) nl = text.Length;
            var line = text[pos..nl];
            pos = nl + 1;
            if (line.Length == 0) break;   // the blank line before the message
            if (line[0] == ' ' && last != null) continue;   // a continuation (gpgsig, mergetag): not needed
            int space = line.IndexOf(' ');
            last = space < 0 ? line : line[..space];
            if (!parsed.Headers.TryGetValue(last, out var values)) parsed.Headers[last] = values = [];
            values.Add(space < 0 ? "" : line[(space + 1)..]);
        }
        parsed.Message = pos < text.Length ? text[pos..] : "";
        return parsed;
    }

    /// <summary>"Name &lt;email&gt; 1700000000 +0100"; the date is null when it cannot be read.</summary>
    public static GitSignature? Signature(string? line)
    {
        if (line == null) return null;
        int lt = line.IndexOf('<'), gt = line.LastIndexOf('>');
        if (lt < 0 || gt < lt) return new GitSignature(line.Trim(), "", null);
        var name = line[..lt].Trim();
        var email = line[(lt + 1)..gt];
        var rest = line[(gt + 1)..].Trim().Split(' ');
        return new GitSignature(name, email, rest is [var seconds, var zone] ? Date(seconds, zone) : null);
    }

    /// <summary>git's raw date ("seconds +hhmm") in the author's zone; null when out of range or malformed.</summary>
    public static DateTimeOffset? Date(string seconds, string zone)
    {
        if (!long.TryParse(seconds, out long unix) || zone.Length != 5 || zone[0] is not ('+' or '-')
            || !int.TryParse(zone.AsSpan(1, 2), out int hours) || !int.TryParse(zone.AsSpan(3, 2), out int minutes))
            return null;
        var offset = new TimeSpan(hours, minutes, 0);
        if (zone[0] == '-') offset = -offset;
        if (offset.Duration() > TimeSpan.FromHours(14)) return null;
        try { return DateTimeOffset.FromUnixTimeSeconds(unix).ToOffset(offset); }
        catch (ArgumentOutOfRangeException) { return null; }
    }
}
