using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Sources;
using KeyGuard.Tests.Support;
using Xunit.Abstractions;

namespace KeyGuard.Tests.Engine;

/// <summary>Recall and precision per rule over a generated corpus of realistic leaks and hard negatives.</summary>
public sealed class AccuracyTests(ITestOutputHelper output)
{
    [Fact]
    public void Recall_is_at_least_99_percent_and_precision_is_1_per_rule()
    {
        var corpus = new LeakCorpus(seed: 20261128);
        var samples = corpus.Positives(perTemplate: 40).Concat(corpus.Negatives(perTemplate: 40)).ToList();
        var scanner = new ContentScanner(new TextScanner(RuleSet.Default()));

        var tp = new Dictionary<string, int>(); var fp = new Dictionary<string, int>(); var fn = new Dictionary<string, int>();
        void Add(Dictionary<string, int> d, string k) => d[k] = d.GetValueOrDefault(k) + 1;
        var misses = new List<string>();
        foreach (var sample in samples)
        {
            var found = new List<Finding>();
            scanner.ScanText(sample.Content, new Provenance(sample.Name), found);
            var expected = sample.Expected.ToList();
            foreach (var f in found)
            {
                int i = expected.FindIndex(e => e.Rule == f.RuleId && e.Secret == f.Secret);
                if (i >= 0) { Add(tp, f.RuleId); expected.RemoveAt(i); }
                else { Add(fp, f.RuleId); misses.Add($"FP {f.RuleId} in {sample.Name}: {f.Redacted}"); }
            }
            foreach (var e in expected) { Add(fn, e.Rule); misses.Add($"FN {e.Rule} in {sample.Name}"); }
        }

        var rules = tp.Keys.Concat(fp.Keys).Concat(fn.Keys).Distinct().Order().ToList();
        foreach (var rule in rules)
        {
            double t = tp.GetValueOrDefault(rule), p = fp.GetValueOrDefault(rule), n = fn.GetValueOrDefault(rule);
            output.WriteLine($"{rule,-28} recall {t / (t + n):0.0000}  precision {t / Math.Max(1, t + p):0.0000}  (tp {t}, fp {p}, fn {n})");
        }
        foreach (var m in misses.Take(30)) output.WriteLine(m);
        Assert.Contains("aws-access-key-id", rules);
        Assert.Contains("aws-secret-access-key", rules);
        Assert.Contains("aws-session-token", rules);
        Assert.Contains("aws-sso-access-token", rules);
        foreach (var rule in rules)
        {
            double t = tp.GetValueOrDefault(rule), p = fp.GetValueOrDefault(rule), n = fn.GetValueOrDefault(rule);
            Assert.True(t / (t + n) >= 0.99, $"{rule} recall {t / (t + n):0.0000}\n" + string.Join("\n", misses.Take(20)));
            Assert.True(p == 0, $"{rule} precision {t / (t + p):0.0000}\n" + string.Join("\n", misses.Take(20)));
        }
    }
}
