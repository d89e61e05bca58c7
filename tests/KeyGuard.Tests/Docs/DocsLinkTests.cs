using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace KeyGuard.Tests.Docs;

/// <summary>README is the front page (at most 20 KB) and every relative link in it and in docs/ resolves, anchors too.</summary>
public sealed partial class DocsLinkTests
{
    private static string RepoRoot() => Git.HookInstallTests.RepoRoot();

    private static IEnumerable<string> MarkdownFiles()
    {
        var root = RepoRoot();
        yield return Path.Combine(root, "README.md");
        foreach (var f in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories)) yield return f;
    }

    [GeneratedRegex(@"\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,6}\s+(.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.</summary>
    internal static string Slug(string heading)
    {
        var sb = new StringBuilder();
        foreach (var c in heading.Trim().ToLowerInvariant())
            if (char.IsLetterOrDigit(c) || c is '-' or '_') sb.Append(c);
            else if (c == ' ') sb.Append('-');
        return sb.ToString();
    }

    private static HashSet<string> Anchors(string file)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>();
        bool fenced = false;
        foreach (var line in File.ReadLines(file))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) fenced = !fenced;
            if (fenced || Heading().Match(line) is not { Success: true } m) continue;
            var slug = Slug(m.Groups[1].Value);
            int n = counts.GetValueOrDefault(slug);
            counts[slug] = n + 1;
            anchors.Add(n == 0 ? slug : $"{slug}-{n}");
        }
        return anchors;
    }

    [Fact]
    public void Every_relative_link_and_anchor_resolves()
    {
        var broken = new List<string>();
        int checkedLinks = 0;
        foreach (var file in MarkdownFiles())
        {
            foreach (Match m in Link().Matches(File.ReadAllText(file)))
            {
                var target = m.Groups[1].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                checkedLinks++;
                var (path, anchor) = target.Split('#', 2) is var parts && parts.Length == 2 ? (parts[0], parts[1]) : (target, null);
                var resolved = path.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, path));
                var where = $"{Path.GetRelativePath(RepoRoot(), file)}: ({target})";
                if (!File.Exists(resolved) && !Directory.Exists(resolved)) { broken.Add($"{where}: no such file"); continue; }
                if (anchor != null && File.Exists(resolved) && !Anchors(resolved).Contains(anchor)) broken.Add($"{where}: no heading with that anchor");
            }
        }
        Assert.True(checkedLinks > 20, $"only {checkedLinks} links found: is the link pattern right?");
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Fact]
    public void Readme_is_a_front_page_of_at_most_20_KB_with_the_two_command_quick_start()
    {
        var readme = Path.Combine(RepoRoot(), "README.md");
        Assert.True(new FileInfo(readme).Length <= 20 * 1024, $"README.md is {new FileInfo(readme).Length} bytes");
        var text = File.ReadAllText(readme);
        Assert.Contains("dotnet run --project src/KeyGuard.Cli -- scan .", text);
        Assert.Contains("dotnet test KeyGuard.sln", text);
    }

    [Fact]
    public void Slugs_follow_githubs_rules()
    {
        Assert.Equal("server-side-push-protection-pre-receive", Slug("Server-side push protection (pre-receive)"));
        Assert.Equal("history-findings-scan---history", Slug("History findings (`scan --history`)"));
        Assert.Equal("deploying-deploy", Slug("Deploying (`deploy/`)"));
    }
}
