using System.Security.Cryptography;
using System.Text;

namespace KeyGuard.Org;

/// <summary>
/// One repository of an org scan. <see cref="Identity"/> is the normalized name the state, the shard hash and the
/// reports use (host/path for URLs, the absolute path for local repositories); <see cref="Location"/> is what git opens
/// or clones. Credentials in a URL never reach the identity.
/// </summary>
internal sealed record RepoSpec(string Identity, string Location, bool IsRemote)
{
    public static RepoSpec Parse(string entry, string baseDir)
    {
        entry = entry.Trim();
        if (LooksLikeUrl(entry)) return new RepoSpec(NormalizeUrl(entry), entry, true);
        var full = Path.GetFullPath(Path.Combine(baseDir, entry)).TrimEnd('/', '\\');
        return new RepoSpec(LocalIdentity(full), full, false);
    }

    /// <summary>A file-system-safe, unique, readable name for cache folders and per-repository reports.</summary>
    public string FileName => FileNameFor(Identity);

    public static string FileNameFor(string identity)
    {
        {
            var tail = identity.TrimEnd('/').Split('/', '\\', ':').LastOrDefault(s => s.Length > 0) ?? "repo";
            if (tail.EndsWith(".git", StringComparison.Ordinal)) tail = tail[..^4];
            var safe = new string(tail.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
            return $"{safe}-{StableHash.Hex(identity)[..8]}";
        }
    }

    private static bool LooksLikeUrl(string s) =>
        s.Contains("://", StringComparison.Ordinal) || (s.Contains('@') && s.Contains(':') && !s.StartsWith('/'));

    /// <summary>https://user:tok@GitHub.com/Org/Repo.git/ and git@github.com:Org/Repo → github.com/Org/Repo.</summary>
    public static string NormalizeUrl(string url)
    {
        string rest;
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var s = url[..scheme].ToLowerInvariant();
            rest = url[(scheme + 3)..];
            // The same repository named as a path and as a file:// URL is one repository (one identity, one state).
            if (s == "file" && rest.StartsWith('/')) return LocalIdentity(Uri.UnescapeDataString(rest));
            if (s == "file") return "file://" + rest.TrimEnd('/');
        }
        else rest = url.Replace(':', '/'); // scp-like git@host:org/repo
        int at = rest.IndexOf('@');
        int slash = rest.IndexOf('/');
        if (at >= 0 && (slash < 0 || at < slash)) rest = rest[(at + 1)..];
        slash = rest.IndexOf('/');
        var host = (slash < 0 ? rest : rest[..slash]).ToLowerInvariant();
        var path = slash < 0 ? "" : rest[slash..].TrimEnd('/');
        if (path.EndsWith(".git", StringComparison.OrdinalIgnoreCase)) path = path[..^4];
        return host + path;
    }

    /// <summary>A local repository's identity: its absolute path, and a work tree's, not its .git folder's.</summary>
    private static string LocalIdentity(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/', '\\');
        return Path.GetFileName(full) == ".git" ? Path.GetDirectoryName(full)! : full;
    }

    /// <summary>The location for logs: userinfo (tokens) removed.</summary>
    public string SafeLocation => IsRemote && Location.Contains("://") && Location.IndexOf('@') is var at and > 0
        ? Location[..(Location.IndexOf("://", StringComparison.Ordinal) + 3)] + Location[(at + 1)..]
        : Location;
}

internal static class StableHash
{
    public static string Hex(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    /// <summary>First 8 bytes of SHA-256, big-endian: the same on every machine, runtime and list order.</summary>
    public static ulong Of(string s)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(s));
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}
