using System.Text.RegularExpressions;
using Xunit;

namespace KeyGuard.Tests.Ship;

/// <summary>
/// Every third-party action the shipped workflows and the composite action use is pinned to a full commit SHA, with
/// its release tag as a comment (aws-e2e review, low 29: pinned by tag only; a moved tag would run other code with
/// the workflow's token).
/// </summary>
public sealed class PinnedActionsTests
{
    public static TheoryData<string> Files() => new("action.yml", "deploy/github/org-scan.yml", "docs/ci.md", ".github/workflows/release.yml", "README.md");

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_action_is_pinned_to_a_commit_sha(string file)
    {
        var text = File.ReadAllText(Path.Combine(ShipSupport.RepoRoot(), file));
        var uses = Regex.Matches(text, @"uses:\s*(?<ref>[^\s#]+)(?<comment>[ \t]*#[^\n]*)?").ToList();
        Assert.NotEmpty(uses);
        foreach (var use in uses)
        {
            var reference = use.Groups["ref"].Value;
            if (reference.StartsWith("YOUR-ORG/", StringComparison.Ordinal) || reference.StartsWith("./", StringComparison.Ordinal)) continue;
            Assert.Matches(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$", reference);
            Assert.Matches(@"#\s*v\d+\.\d+\.\d+", use.Groups["comment"].Value);
        }
    }
}
