using System.Text;
using KeyGuard.Detection;

namespace KeyGuard.Tests.Engine;

/// <summary>The SIMD keyword screen against a naive search: every hit, no extra, at every alignment.</summary>
public sealed class KeywordFinderTests
{
    private static readonly string[] Keywords = ["AKIA", "ASIA", "ABIA", "ACCA", "ABSK", "secret", "token", "amzn.mws.", "bedrock-api-key-", "pw", "x", "é"];

    private static bool NaiveAt(string text, int i, string k)
    {
        if (i + k.Length > text.Length) return false;
        bool exact = k.Any(char.IsUpper);
        return string.Compare(text, i, k, 0, k.Length, exact ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase) == 0
               && (exact || k.All(c => c < 128) || string.CompareOrdinal(text, i, k, 0, k.Length) == 0);
    }

    private static List<int> Naive(string text, string[] keywords) =>
        Enumerable.Range(0, text.Length).Where(i => keywords.Any(k => NaiveAt(text, i, k))).ToList();

    private static List<int> All(KeywordFinder finder, string text, bool bytes)
    {
        var hits = new List<int>();
        var latin1 = Encoding.Latin1.GetBytes(text);
        for (int i = 0; ; i++)
        {
            i = bytes ? finder.IndexOfAny(latin1, i) : finder.IndexOfAny(text.AsSpan(), i);
            if (i < 0) return hits;
            hits.Add(i);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Finds_exactly_what_a_naive_search_finds(int seed)
    {
        var random = new Random(seed);
        string[] pieces = ["AKIA", "akia", "Akia", "ASIA", "asia", "ABSK", "ACCA", "ACC", "AK", "SECRET", "Secret", "sec", "TOKEN", "tok",
                           "amzn.mws.", "AMZN.MWS.", "amzn.mwsx", "bedrock-api-key-", "BEDROCK-API-KEY-", "bedrock-api-key", "PW", "pW", "X",
                           "é", "É", "ŁKIA", "\u0141", "a", "b", " ", "\n", "=", "A", "ACCESS", "PASSWORD", "@MZN.MWS.", "[kia", "accessToken", "AccessToken"];
        var keywords = Keywords.Where(k => k.All(c => c < 256)).ToArray();
        var finder = new KeywordFinder(keywords);
        for (int round = 0; round < 200; round++)
        {
            var sb = new StringBuilder();
            int parts = random.Next(0, 60);
            for (int p = 0; p < parts; p++) sb.Append(pieces[random.Next(pieces.Length)]);
            var text = sb.ToString();
            var expected = Naive(text, keywords);
            Assert.Equal(expected, All(finder, text, bytes: false));
            if (text.All(c => c < 256))
                Assert.Equal(expected, All(finder, text, bytes: true));
        }
    }

    /// <summary>One keyword alone is a plain substring search when it matches exactly; the same hits either way.</summary>
    [Theory]
    [InlineData("accessToken")]
    [InlineData("amzn.mws.")]
    [InlineData("da2-")]
    public void A_single_keyword_finds_what_a_naive_search_finds(string keyword)
    {
        var random = new Random(keyword.Length);
        string[] pieces = ["accessToken", "AccessToken", "accesstoken", "access", "amzn.mws.", "AMZN.mws.", "da2-", "DA2-", "da2", "x", " "];
        var finder = new KeywordFinder([keyword]);
        for (int round = 0; round < 200; round++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => pieces[random.Next(pieces.Length)]));
            var expected = Naive(text, [keyword]);
            Assert.Equal(expected, All(finder, text, bytes: false));
            Assert.Equal(expected, All(finder, text, bytes: true));
        }
    }

    [Fact]
    public void Keywords_with_an_uppercase_letter_match_exactly_and_lowercase_ones_any_case()
    {
        var finder = new KeywordFinder(["AKIA", "secret"]);
        Assert.Equal(-1, finder.IndexOfAny("akia Akia AKIa".AsSpan()));
        Assert.Equal(5, finder.IndexOfAny("akia AKIA".AsSpan()));
        Assert.Equal(0, finder.IndexOfAny("SeCrEt".AsSpan()));
        Assert.True(KeywordFinder.IsExact("ABSK"));
        Assert.False(KeywordFinder.IsExact("amzn.mws."));
    }

    [Fact]
    public void A_hit_at_every_offset_of_a_long_text_is_found()
    {
        var finder = new KeywordFinder(Keywords.Where(k => k.All(c => c < 128)).Except(["x", "pw"]));
        foreach (var keyword in new[] { "AKIA", "token", "bedrock-api-key-", "amzn.mws." })
            for (int at = 0; at < 200; at++)
            {
                var text = new string('.', at) + keyword + new string('.', 150 - Math.Min(at, 150));
                Assert.Equal(at, finder.IndexOfAny(text.AsSpan()));
                Assert.Equal(at, finder.IndexOfAny(Encoding.ASCII.GetBytes(text)));
                // Cut right after the keyword's first character: no hit.
                var cut = text[..(at + 1)];
                Assert.Equal(-1, finder.IndexOfAny(cut.AsSpan()));
            }
    }

    [Fact]
    public void Characters_above_Latin1_do_not_alias_to_keyword_bytes()
    {
        // U+0141 narrows to 0x41 ('A'); the screen may pass it, the verification must not.
        var finder = new KeywordFinder(["AKIA"]);
        var text = new string('\u0141', 40) + "\u0141KIA" + new string(' ', 40);
        Assert.Equal(-1, finder.IndexOfAny(text.AsSpan()));
        Assert.Equal(84, finder.IndexOfAny((text + "AKIA").AsSpan()));
    }

    [Fact]
    public void No_keywords_means_no_hits()
    {
        var finder = new KeywordFinder([]);
        Assert.Equal(-1, finder.IndexOfAny("AKIA secret".AsSpan()));
    }
}

/// <summary>The byte-level gate that lets most files skip decoding must never hide a finding.</summary>
public sealed class MayMatchTests
{
    [Fact]
    public void Content_the_gate_rejects_has_no_findings_and_every_leak_passes_it()
    {
        var corpus = new KeyGuard.Tests.Support.LeakCorpus(seed: 7);
        var engine = new TextScanner(RuleSet.Default());
        int rejected = 0, leaks = 0;
        foreach (var sample in corpus.Positives(perTemplate: 20).Concat(corpus.Negatives(perTemplate: 20)))
        {
            var bytes = Encoding.UTF8.GetBytes(sample.Content);
            var found = new List<KeyGuard.Findings.Finding>();
            engine.Scan(Encoding.Latin1.GetString(bytes), TextPosition.Start, new KeyGuard.Sources.Provenance(sample.Name), found);
            if (!engine.MayMatch(bytes)) { rejected++; Assert.Empty(found); }
            if (sample.Expected.Any()) { leaks++; Assert.True(engine.MayMatch(bytes), sample.Name); }
        }
        Assert.True(rejected > 0, "the gate rejected nothing: the test shows nothing");
        Assert.True(leaks > 100);
    }

    [Fact]
    public void A_secret_keyword_without_a_long_run_nearby_is_rejected_and_with_one_is_not()
    {
        var engine = new TextScanner(RuleSet.Default());
        Assert.False(engine.MayMatch(Encoding.ASCII.GetBytes("const secretName = getSecret(tokenProvider);\n")));
        var run = new KeyGuard.Tests.Support.FakeCredentials(3).Secret();
        Assert.True(engine.MayMatch(Encoding.ASCII.GetBytes($"const secretName = \"{run}\";\n")));
        // Unfiltered user rules (no keywords) see everything.
        var unfiltered = new TextScanner(new RuleSet([.. RuleSet.Default().Rules, new Rule { Id = "x", Title = "x", Regex = new System.Text.RegularExpressions.Regex("zzz") }]));
        Assert.True(unfiltered.MayMatch(Encoding.ASCII.GetBytes("nothing here")));
    }

    [Fact]
    public void A_large_buffer_behind_the_gate_keeps_a_key_deep_inside_with_its_line()
    {
        var scanner = new ContentScanner(new TextScanner(RuleSet.Default()));
        var key = new KeyGuard.Tests.Support.FakeCredentials(11).KeyId();
        var filler = string.Concat(Enumerable.Range(0, 60000).Select(i => $"row {i}: token and secret words, nothing long\n"));
        var clean = Encoding.ASCII.GetBytes(filler);
        Assert.True(clean.Length > ContentScanner.ChunkBytes);
        var none = new List<KeyGuard.Findings.Finding>();
        scanner.ScanWhole(clean, new KeyGuard.Sources.Provenance("big.txt"), none);
        Assert.Empty(none);

        var leaked = Encoding.ASCII.GetBytes(filler + "aws_access_key_id = " + key + "\n" + filler);
        var found = new List<KeyGuard.Findings.Finding>();
        var result = scanner.ScanWhole(leaked, new KeyGuard.Sources.Provenance("big.txt"), found);
        var finding = Assert.Single(found);
        Assert.Equal(key, finding.Secret);
        Assert.Equal(60001, finding.Line);
        Assert.Equal(leaked.Length, result.Bytes);
    }

    [Fact]
    public void Dense_keywords_with_runs_anywhere_never_fool_the_gate()
    {
        // A rule that reports any 40+ base64 run within reach of "secret": whatever the engine finds, the gate must pass.
        var rule = new Rule
        {
            Id = "dense", Title = "dense", Keywords = ["secret"], Reach = 60, MinRun = 40,
            Regex = new System.Text.RegularExpressions.Regex("(?<![A-Za-z0-9/+])(?<secret>[A-Za-z0-9/+]{40,})(?![A-Za-z0-9/+])"),
        };
        var engine = new TextScanner(new RuleSet([rule]));
        var random = new Random(5);
        string Run(int n) => new(Enumerable.Range(0, n).Select(_ => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[random.Next(64)]).ToArray());
        int found = 0, rejected = 0;
        for (int round = 0; round < 3000; round++)
        {
            var sb = new StringBuilder();
            int parts = random.Next(1, 40);
            for (int p = 0; p < parts; p++)
                sb.Append(random.Next(7) switch
                {
                    0 or 1 => "secret", 2 => " ", 3 => "\n", 4 => "=", 5 => new string('-', random.Next(1, 30)), _ => Run(random.Next(30, 46)),
                });
            var text = sb.ToString();
            var findings = new List<KeyGuard.Findings.Finding>();
            engine.Scan(text, TextPosition.Start, new KeyGuard.Sources.Provenance("t"), findings);
            bool gate = engine.MayMatch(Encoding.ASCII.GetBytes(text));
            if (findings.Count > 0) { found++; Assert.True(gate, text); }
            if (!gate) rejected++;
        }
        Assert.True(found > 100 && rejected > 100, $"found {found}, rejected {rejected}: the test shows nothing");
    }
}
