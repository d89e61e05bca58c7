using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using KeyGuard.Tests.Ship;

namespace KeyGuard.Tests.Scan;

/// <summary>SARIF output against the SARIF 2.1.0 JSON schema checked in under tests (Schemas/), and GitHub's rule help.</summary>
public sealed class SarifSchemaTests(CiFormatFixture fx) : IClassFixture<CiFormatFixture>
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(ShipSupport.RepoRoot(), "tests/KeyGuard.Tests/Schemas/sarif-2.1.0-rtm.5.json")))!.AsObject();
        // The file is draft-04; its only draft-04-only keyword is the top-level "id" (the schema's own URI, which
        // nothing refers to: every $ref is "#/definitions/..."). Read as draft-07, without it.
        node["$schema"] = "http://json-schema.org/draft-07/schema#";
        node.Remove("id");
        return JsonSchema.FromText(node.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
    });

    private static EvaluationResults Validate(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Errors(EvaluationResults r) =>
        string.Join("\n", (r.Details ?? []).Where(d => d.Errors != null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));

    [Fact]
    public void Sarif_of_a_scan_with_findings_is_valid_against_the_schema()
    {
        var r = fx.Scan(fx.Leaky, ".", "-f", "sarif");
        Assert.True(r.ExitCode == 1, r.Stderr);
        var v = Validate(r.Stdout);
        Assert.True(v.IsValid, Errors(v));
        Assert.DoesNotContain(fx.Secret, r.Stdout);

        using var doc = JsonDocument.Parse(r.Stdout);
        var run = doc.RootElement.GetProperty("runs")[0];
        Assert.True(run.GetProperty("results").GetArrayLength() >= 2);
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToList();
        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            Assert.False(string.IsNullOrWhiteSpace(rule.GetProperty("help").GetProperty("text").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(rule.GetProperty("help").GetProperty("markdown").GetString()));
            var severity = double.Parse(rule.GetProperty("properties").GetProperty("security-severity").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(severity, 0.1, 10.0);
        }
        var keyRule = rules.Single(x => x.GetProperty("id").GetString() == "aws-access-key-id");
        Assert.StartsWith("https://docs.aws.amazon.com/", keyRule.GetProperty("helpUri").GetString());
    }

    [Fact]
    public void Sarif_of_a_clean_scan_is_valid_and_the_check_can_fail()
    {
        var r = fx.Scan(fx.Clean, ".", "-f", "sarif");
        Assert.Equal(0, r.ExitCode);
        var v = Validate(r.Stdout);
        Assert.True(v.IsValid, Errors(v));

        var broken = JsonNode.Parse(r.Stdout)!.AsObject();
        broken["runs"]![0]!["results"] = new JsonArray(new JsonObject { ["level"] = "fatal" }); // no message, bad level
        Assert.False(Validate(broken.ToJsonString()).IsValid);
    }
}
