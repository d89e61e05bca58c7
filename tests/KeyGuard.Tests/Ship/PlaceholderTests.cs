using System.Text.RegularExpressions;

namespace KeyGuard.Tests.Ship;

/// <summary>
/// KeyGuard has no public home yet, so the docs and CI files name the repository with placeholders. They stay honest
/// and usable: only the two documented spellings, listed in one section of docs/ci.md, and every file that uses one
/// points its reader there (no invented URL, no third spelling that the list would miss).
/// </summary>
public sealed class PlaceholderTests
{
    private const string Section = "Placeholders: where your copy of KeyGuard lives";

    private static IEnumerable<string> ShippedTextFiles()
    {
        var root = ShipSupport.RepoRoot();
        var files = new List<string> { "README.md", "action.yml", ".pre-commit-hooks.yaml" };
        foreach (var dir in new[] { "docs", "deploy", ".github" })
            if (Directory.Exists(Path.Combine(root, dir)))
                files.AddRange(Directory.EnumerateFiles(Path.Combine(root, dir), "*", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(root, f)));
        return files.Where(f => File.Exists(Path.Combine(root, f)));
    }

    [Fact]
    public void Placeholders_are_the_two_documented_ones_and_every_file_using_one_points_to_the_list()
    {
        var root = ShipSupport.RepoRoot();
        var ci = File.ReadAllText(Path.Combine(root, "docs", "ci.md"));
        Assert.Contains("## " + Section, ci);

        var users = new List<string>();
        foreach (var file in ShippedTextFiles())
        {
            var text = File.ReadAllText(Path.Combine(root, file));
            var tokens = Regex.Matches(text, @"\bYOUR-[A-Z-]*[A-Z]").Select(m => m.Value).Distinct().ToList();
            Assert.True(tokens.All(t => t is "YOUR-ORG" or "YOUR-GIT-HOST"), $"{file}: {string.Join(", ", tokens)}");
            Assert.DoesNotContain("your-group", text, StringComparison.OrdinalIgnoreCase);
            if (tokens.Count == 0) continue;
            users.Add(file);
            bool points = file == Path.Combine("docs", "ci.md")
                ? text.Contains("see Placeholders above", StringComparison.Ordinal)
                : text.Contains(Section, StringComparison.Ordinal) || text.Contains("ci.md#placeholders-where-your-copy-of-keyguard-lives", StringComparison.Ordinal);
            Assert.True(points, $"{file} uses a placeholder but does not point to docs/ci.md, \"{Section}\"");
        }
        Assert.Contains("README.md", users);
        Assert.Contains("action.yml", users);
        Assert.Contains(Path.Combine("deploy", "gitlab", "keyguard.gitlab-ci.yml"), users);
    }
}
