using System.Text;
using LibGit2Sharp;

namespace KeyGuard.Sources;

/// <summary>One pattern line of an ignore file, parsed as libgit2 parses it (<c>git_attr_fnmatch__parse</c>).</summary>
internal sealed class GitIgnoreRule
{
    public required string Pattern { get; init; }
    public bool Negative { get; init; }
    /// <summary>Ends with a slash: matches directories only.</summary>
    public bool DirectoryOnly { get; init; }
    /// <summary>Holds a slash: matched against the path below the ignore file's folder, not the name alone.</summary>
    public bool FullPath { get; init; }

    /// <summary>The rule of one line, or null for a blank line or a comment.</summary>
    public static GitIgnoreRule? Parse(string line)
    {
        if (line.Length == 0 || line[0] == '#' || line == "\r") return null;
        int start = 0;
        bool negative = false;
        if (line[0] == '!') { negative = true; start = 1; }
        int slashes = 0, end = line.Length;
        bool escaped = false, fullPath = false;
        for (int i = start; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '\\' && !escaped) { escaped = true; continue; }
            if (IsSpace(c) && !escaped)
            {
                if (c is not (' ' or '\t' or '\r')) { end = i; break; }
            }
            else if (c == '/')
            {
                fullPath = true;
                slashes++;
                if (slashes == 1 && i == start) start++;
            }
            escaped = false;
        }
        int length = end - start;
        if (length <= 0) return null;
        // One trailing CR (a CRLF file), then unescaped trailing blanks.
        if (line[start + length - 1] == '\r' && --length == 0) return null;
        length -= TrailingSpaceLength(line.AsSpan(start, length));
        if (length == 0) return null;
        bool directoryOnly = false;
        if (line[start + length - 1] == '/')
        {
            length--;
            directoryOnly = true;
            if (--slashes <= 0) fullPath = false;
        }
        return new GitIgnoreRule
        {
            Pattern = UnescapeSpaces(line.AsSpan(start, length)),
            Negative = negative,
            DirectoryOnly = directoryOnly,
            FullPath = fullPath,
        };
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static int TrailingSpaceLength(ReadOnlySpan<char> p)
    {
        int n;
        for (n = p.Length; n > 0; n--)
        {
            if (p[n - 1] is not (' ' or '\t')) break;
            // An odd number of backslashes before it escapes the blank.
            int i = n;
            while (i > 1 && p[i - 2] == '\\') i--;
            if ((n - i) % 2 == 1) break;
        }
        return p.Length - n;
    }

    private static string UnescapeSpaces(ReadOnlySpan<char> s)
    {
        if (!s.Contains('\\')) return s.ToString();
        var b = new StringBuilder(s.Length);
        bool escaped = false;
        foreach (char c in s)
        {
            if (!escaped && c == '\\') { escaped = true; continue; }
            // The backslash stays before anything but a blank (wildmatch reads it there).
            if (escaped && !IsSpace(c)) b.Append('\\');
            b.Append(c);
            escaped = false;
        }
        return b.ToString();
    }
}

/// <summary>The rules of one ignore file, and the folder (relative to the work tree, "" or ending in '/') it governs.</summary>
internal sealed class GitIgnoreFile(string containingDirectory, IReadOnlyList<GitIgnoreRule> rules)
{
    public string ContainingDirectory { get; } = containingDirectory;
    public IReadOnlyList<GitIgnoreRule> Rules { get; } = rules;

    public static GitIgnoreFile Parse(ReadOnlySpan<byte> content, string containingDirectory)
    {
        var rules = new List<GitIgnoreRule>();
        foreach (var line in Encoding.UTF8.GetString(content).Split('\n'))
            if (GitIgnoreRule.Parse(line) is { } rule) rules.Add(rule);
        return new GitIgnoreFile(containingDirectory, rules);
    }

    /// <summary>True (ignored) or false (re-included) by the last rule that matches, null when none does.</summary>
    public bool? Decide(ReadOnlySpan<char> path, int nameStart, bool isDirectory, bool ignoreCase)
    {
        if (ContainingDirectory.Length > 0
            && !path.StartsWith(ContainingDirectory, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            return null;
        var relative = path[ContainingDirectory.Length..];
        var name = path[nameStart..];
        for (int i = Rules.Count - 1; i >= 0; i--)
        {
            var rule = Rules[i];
            if (rule.DirectoryOnly && !isDirectory) continue;
            bool match = rule.FullPath
                ? WildMatch.IsMatch(rule.Pattern, relative, pathName: true, ignoreCase)
                : WildMatch.IsMatch(rule.Pattern, name, pathName: false, ignoreCase);
            if (match) return !rule.Negative;
        }
        return null;
    }
}

/// <summary>The .gitignore files from the work tree's top down to one folder, innermost first (immutable, shared).</summary>
internal sealed class GitIgnoreStack(GitIgnoreFile file, GitIgnoreStack? outer)
{
    public GitIgnoreFile File { get; } = file;
    public GitIgnoreStack? Outer { get; } = outer;
}

/// <summary>
/// Whether a work-tree path is git-ignored, decided in memory with libgit2's rules and precedence: its built-in
/// rule (<c>.git</c>), the .gitignore files from the path's folder up to the top (innermost first, last matching line
/// wins), then <c>$GIT_DIR/info/exclude</c>, then <c>core.excludesFile</c>. The walker reads each folder's .gitignore
/// when its listing shows one: asking libgit2 per path re-checked every .gitignore from the top (a stat each) under
/// one lock, which cost more system time than reading the files.
/// </summary>
internal sealed class GitIgnores
{
    private static readonly GitIgnoreFile BuiltIn = new("", [new GitIgnoreRule { Pattern = "." }, new GitIgnoreRule { Pattern = ".." }, new GitIgnoreRule { Pattern = ".git" }]);
    private readonly List<GitIgnoreFile> _global = [];

    public bool IgnoreCase { get; }

    private GitIgnores(bool ignoreCase) => IgnoreCase = ignoreCase;

    public static GitIgnores Load(Repository repo)
    {
        var ignores = new GitIgnores(repo.Config.GetValueOrDefault("core.ignorecase", false));
        ignores.AddGlobal(Path.Join(CommonDirectory(repo.Info.Path), "info", "exclude"));
        var configured = repo.Config.GetValueOrDefault<string?>("core.excludesfile", (string?)null);
        ignores.AddGlobal(configured != null ? ExpandHome(configured) : DefaultExcludesFile());
        return ignores;
    }

    private void AddGlobal(string? path)
    {
        if (path != null && TryRead(path) is { } content) _global.Add(GitIgnoreFile.Parse(content, ""));
    }

    /// <summary>The stack for a folder (relative to the work tree, "" or ending in '/') given its .gitignore's bytes.</summary>
    public static GitIgnoreStack Enter(GitIgnoreStack? outer, string folder, ReadOnlySpan<byte> content) =>
        new(GitIgnoreFile.Parse(content, folder), outer);

    /// <summary>Reads a .gitignore, or null when it cannot be read (as libgit2, which then has no rules from it).</summary>
    public static byte[]? TryRead(string path)
    {
        try { return System.IO.File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <param name="folder">The entry's folder relative to the work tree: "" or ending in '/'.</param>
    public bool IsIgnored(GitIgnoreStack? stack, string folder, string name, bool isDirectory)
    {
        int length = folder.Length + name.Length;
        char[]? rented = null;
        Span<char> path = length <= 512 ? stackalloc char[length] : (rented = new char[length]);
        folder.AsSpan().CopyTo(path);
        name.AsSpan().CopyTo(path[folder.Length..]);
        int nameStart = folder.Length;
        if (BuiltIn.Decide(path, nameStart, isDirectory, IgnoreCase) is { } builtIn) return builtIn;
        for (var s = stack; s != null; s = s.Outer)
            if (s.File.Decide(path, nameStart, isDirectory, IgnoreCase) is { } decided) return decided;
        foreach (var file in _global)
            if (file.Decide(path, nameStart, isDirectory, IgnoreCase) is { } decided) return decided;
        return false;
    }

    /// <summary>A linked work tree's info/exclude is its main repository's.</summary>
    private static string CommonDirectory(string gitDir)
    {
        var commondir = Path.Join(gitDir, "commondir");
        try
        {
            if (System.IO.File.Exists(commondir))
            {
                var target = System.IO.File.ReadAllText(commondir).Trim();
                return Path.IsPathRooted(target) ? target : Path.GetFullPath(Path.Join(gitDir, target));
            }
        }
        catch (IOException) { }
        return gitDir;
    }

    private static string ExpandHome(string path)
    {
        if (!path.StartsWith("~/", StringComparison.Ordinal)) return path;
        var home = Environment.GetEnvironmentVariable("HOME");
        return home == null ? path : Path.Join(home, path[2..]);
    }

    private static string? DefaultExcludesFile()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (!string.IsNullOrEmpty(xdg)) return Path.Join(xdg, "git", "ignore");
        var home = Environment.GetEnvironmentVariable("HOME");
        return string.IsNullOrEmpty(home) ? null : Path.Join(home, ".config", "git", "ignore");
    }
}
