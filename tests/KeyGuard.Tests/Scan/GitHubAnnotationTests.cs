using KeyGuard.Reporting;

namespace KeyGuard.Tests.Scan;

/// <summary><c>-f github</c>: workflow-command annotations, escaped per GitHub's rules, never carrying the secret.</summary>
public sealed class GitHubAnnotationTests(CiFormatFixture fx) : IClassFixture<CiFormatFixture>
{
    [Fact]
    public void One_error_annotation_per_finding_with_escaped_file_and_no_secret()
    {
        var r = fx.Scan(fx.Leaky, ".", "-f", "github", "--show-secrets");
        Assert.Equal(1, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 2, r.Stdout);
        Assert.All(lines, l => Assert.StartsWith("::error file=conf%2Cig%3A100%25.py,line=", l));
        Assert.Contains(lines, l => l.Contains(",line=2,endLine=2,col=") && l.Contains(",title=KeyGuard%3A "));
        Assert.DoesNotContain(fx.Secret, r.Stdout); // not even with --show-secrets
        Assert.All(lines, l => Assert.DoesNotContain('\r', l));
        // The message part (after the second ::) has no raw newline and names the key.
        Assert.Contains(lines, l => l[(l.IndexOf("::", 2, StringComparison.Ordinal) + 2)..].Contains(fx.KeyId));
    }

    [Fact]
    public void Escaping_follows_the_workflow_command_rules()
    {
        Assert.Equal("a%25b%0D%0Ac:d,e", GitHubReporter.Data("a%b\r\nc:d,e"));
        Assert.Equal("a%25b%0D%0Ac%3Ad%2Ce", GitHubReporter.Property("a%b\r\nc:d,e"));
    }

    [Fact]
    public void A_clean_scan_writes_nothing()
    {
        var r = fx.Scan(fx.Clean, ".", "-f", "github");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stdout);
    }
}
