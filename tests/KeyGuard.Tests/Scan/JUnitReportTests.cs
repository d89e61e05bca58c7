using System.Xml.Linq;

namespace KeyGuard.Tests.Scan;

/// <summary><c>-f junit</c>: a failing test case per finding, a passing one for a clean scan, parsed with System.Xml.</summary>
public sealed class JUnitReportTests(CiFormatFixture fx) : IClassFixture<CiFormatFixture>
{
    [Fact]
    public void Each_finding_is_a_failing_test_case()
    {
        var r = fx.Scan(fx.Leaky, ".", "-f", "junit");
        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain(fx.Secret, r.Stdout);
        var doc = XDocument.Parse(r.Stdout);
        var suite = doc.Root!.Element("testsuite")!;
        var cases = suite.Elements("testcase").ToList();
        Assert.True(cases.Count >= 2);
        Assert.Equal(cases.Count.ToString(), suite.Attribute("tests")!.Value);
        Assert.Equal(cases.Count.ToString(), suite.Attribute("failures")!.Value);
        Assert.All(cases, c =>
        {
            Assert.Equal(CiFormatFixture.KeyFile, c.Attribute("classname")!.Value);
            Assert.NotNull(c.Element("failure")!.Attribute("type"));
        });
        Assert.Contains(cases, c => c.Attribute("name")!.Value == "aws-access-key-id at line 2");
    }

    [Fact]
    public void A_clean_scan_is_one_passing_test_case()
    {
        var r = fx.Scan(fx.Clean, ".", "-f", "junit");
        Assert.Equal(0, r.ExitCode);
        var suite = XDocument.Parse(r.Stdout).Root!.Element("testsuite")!;
        Assert.Equal("0", suite.Attribute("failures")!.Value);
        var only = Assert.Single(suite.Elements("testcase"));
        Assert.Empty(only.Elements());
    }
}
