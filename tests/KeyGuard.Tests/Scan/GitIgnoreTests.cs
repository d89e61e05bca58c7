using KeyGuard.Sources;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Scan;

/// <summary>
/// The walker decides .gitignore in memory; libgit2 (which decided it before, one call per path) is the reference:
/// every file of a tree full of ignore-file edge cases is walked exactly when libgit2 says neither it nor a folder
/// above it is ignored.
/// </summary>
public sealed class GitIgnoreTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string[] Folders =
        ["", "sub/", "sub/inner/", "build/", "docs/", "docs/api/", "x/gen/y/", "a/b/c/", "nested/deep/", "foo.tmp/", "Logs/", "keep/it/"];

    private static readonly string[] Names =
        ["app.py", "keep.log", "x.log", "Upper.LOG", "root-only.txt", "readme.md", "z.txt", "ax.txt", "dy.txt", "ey.txt", "temp1", "#hash",
         "trailing-space", "escaped ", "a.secret", "important.secret", "only-here.txt", "foo", "excluded-by-info.txt", "star*name", "q[1].txt"];

    private void Build()
    {
        LibGit2Sharp.Repository.Init(_dir.Path);
        foreach (var folder in Folders)
            foreach (var name in Names)
                _dir.Write(folder + name, "x\n");
        _dir.Write(".gitignore", string.Join("\n",
            "# a comment", "", "*.log", "!keep.log", "build/", "/root-only.txt", "docs/*.md", "**/gen/**", "a/**/z.txt", "[abc]x.txt",
            "[!d-e]y.txt", "temp?", "\\#hash", "trailing-space   ", "escaped\\ ", "nested/deep/", "*.tmp/", "foo/", "star\\*name",
            "q\\[1].txt", "keep/**", "!keep/it/", "Logs/x.log\r", ""));
        _dir.Write("sub/.gitignore", "*.secret\n!important.secret\n/only-here.txt\n!x.log\n");
        _dir.Write("sub/inner/.gitignore", "!*.log\napp.py\n");
        _dir.Write(".git/info/exclude", "excluded-by-info.txt\n");
    }

    /// <summary>What git itself would add: the untracked files it does not ignore (nothing is tracked here).</summary>
    private static HashSet<string> Expected(string root, string workdirTop)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("git", ["-C", workdirTop, "ls-files", "-z", "--others", "--exclude-standard", "--", Path.GetRelativePath(workdirTop, root)])
        {
            RedirectStandardOutput = true,
        };
        using var git = System.Diagnostics.Process.Start(psi)!;
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => Path.GetRelativePath(root, Path.Join(workdirTop, f)).Replace('\\', '/'))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static HashSet<string> Walked(string root)
    {
        var walked = new HashSet<string>(StringComparer.Ordinal);
        new FileWalker(new WalkOptions()).Walk([root], 2, (_, f) => { lock (walked) walked.Add(Path.GetRelativePath(root, f.FullPath).Replace('\\', '/')); });
        return walked;
    }

    [Fact]
    public void Walk_skips_exactly_what_git_ignores()
    {
        Build();
        var expected = Expected(_dir.Path, _dir.Path);
        var walked = Walked(_dir.Path);
        Assert.True(expected.Count > 50 && expected.Count < Folders.Length * Names.Length, $"expected {expected.Count} files");
        Assert.Equal("", string.Join(" ", expected.Except(walked).Select(f => "-" + f).Concat(walked.Except(expected).Select(f => "+" + f))));
        Assert.Equal(expected.Order(StringComparer.Ordinal), walked.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Walk_from_a_folder_inside_the_work_tree_applies_the_ignore_files_above_it()
    {
        Build();
        var root = Path.Join(_dir.Path, "sub");
        Assert.Equal(Expected(root, _dir.Path).Order(StringComparer.Ordinal), Walked(root).Order(StringComparer.Ordinal));
    }

    [Theory]
    // Cases from git's t3070-wildmatch.
    [InlineData("foo", "foo", true, true)]
    [InlineData("foo", "bar", true, false)]
    [InlineData("???", "foo", true, true)]
    [InlineData("*f", "foo", true, false)]
    [InlineData("*", "foo/bar", true, false)]
    [InlineData("*", "foo/bar", false, true)]
    [InlineData("**", "foo/bar", true, true)]
    [InlineData("foo/**/bar", "foo/bar", true, true)]
    [InlineData("foo/**/bar", "foo/a/b/bar", true, true)]
    [InlineData("foo/*/bar", "foo/a/b/bar", true, false)]
    [InlineData("**/foo", "x/y/foo", true, true)]
    [InlineData("foo/**", "foo/x/y", true, true)]
    [InlineData("*[al]?", "ball", true, true)]
    [InlineData("[ten]", "ten", true, false)]
    [InlineData("t[a-g]n", "ten", true, true)]
    [InlineData("t[!a-g]n", "ten", true, false)]
    [InlineData("t[^a-g]n", "ton", true, true)]
    [InlineData("a[]]b", "a]b", true, true)]
    [InlineData("[[:alpha:]][[:digit:]][[:upper:]]", "a1B", true, true)]
    [InlineData("\\*", "*", true, true)]
    [InlineData("\\*", "x", true, false)]
    [InlineData("*/foo", "bar/baz/foo", true, false)]
    [InlineData("**/bar*", "deep/foo/bar/baz", true, false)]
    [InlineData("**/bar/*", "deep/foo/bar/baz", true, true)]
    [InlineData("-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1", true, true)]
    [InlineData("XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*", "XXX/adobe/courier/bold/o/normal//12/120/75/75/X/70/iso8859/1", true, false)]
    public void Wildmatch_agrees_with_git(string pattern, string text, bool pathName, bool match) =>
        Assert.Equal(match, WildMatch.IsMatch(pattern, text, pathName, ignoreCase: false));
}
