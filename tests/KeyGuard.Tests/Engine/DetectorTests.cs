using System.Text.RegularExpressions;
using KeyGuard.Detection;
using KeyGuard.Detection.Detectors;
using KeyGuard.Findings;
using KeyGuard.Sources;

namespace KeyGuard.Tests.Engine;

/// <summary>
/// Each built-in detector's own examples through the real engine, as gitleaks runs every rule's: true positives are
/// reported with the detector's role, false positives are not reported by it.
/// </summary>
public sealed class DetectorExampleTests
{
    public static TheoryData<string> Detectors() => new(BuiltInDetectors.All.Select(d => d.Id));

    /// <summary>Every default rule on, the generic one too, as a user who enables it gets.</summary>
    private static readonly ContentScanner Engine =
        new(new TextScanner(new RuleSet(RuleFileParser.LoadDefaults().Select(r => r with { Enabled = true }))));

    private static List<Finding> Scan(string text)
    {
        var found = new List<Finding>();
        Engine.ScanText(text, new Provenance("example"), found);
        return found;
    }

    [Theory, MemberData(nameof(Detectors))]
    public void True_positives_are_found_with_the_detectors_role(string id)
    {
        var detector = BuiltInDetectors.All.Single(d => d.Id == id);
        var examples = detector.TruePositives(new ExampleCredentials(seed: 12)).ToList();
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            var found = Scan(example.Text).Where(f => f.RuleId == id).ToList();
            var hit = Assert.Single(found, f => f.Secret == example.Reported);
            Assert.Equal(detector.Rule.Role, hit.Role);
        }
    }

    [Theory, MemberData(nameof(Detectors))]
    public void False_positives_are_not_found(string id)
    {
        var detector = BuiltInDetectors.All.Single(d => d.Id == id);
        var examples = detector.FalsePositives(new ExampleCredentials(seed: 12)).ToList();
        Assert.NotEmpty(examples);
        foreach (var text in examples)
            Assert.DoesNotContain(Scan(text), f => f.RuleId == id);
    }

    [Fact]
    public void A_secret_near_a_key_id_is_linked_to_it_both_ways()
    {
        var make = new ExampleCredentials(seed: 3);
        string keyId = make.KeyId(), secret = make.Secret();
        var found = Scan($"{keyId}\n{secret}\n");
        var key = Assert.Single(found, f => f.Role == CredentialRole.KeyId);
        var paired = Assert.Single(found, f => f.Role == CredentialRole.Secret);
        Assert.Equal(keyId, paired.KeyId);
        Assert.Equal([paired.Fingerprint], key.PairedWith);
        Assert.Equal([key.Fingerprint], paired.PairedWith);
    }
}

/// <summary>A user rule may borrow a detector's check; it then pairs like the detector, and downstream sees no change.</summary>
public sealed class BorrowedCheckTests
{
    [Fact]
    public void A_user_key_id_rule_pairs_as_a_key_id_but_its_findings_keep_role_Other()
    {
        var mine = RuleFileParser.Parse("[my-key-id]\nkeywords = AKIA\nregex = (?<secret>AKIA[A-Z2-7]{16})\ncheck = aws-key-id\n", "user.rules");
        var secretRule = RuleFileParser.Parse("[my-secret]\npair-keywords = AKIA\nlines-before = 5\nlines-after = 5\nregex = (?<secret>[A-Za-z0-9/+]{40})\ncheck = aws-secret\n", "user.rules");
        var engine = new ContentScanner(new TextScanner(new RuleSet(mine.Concat(secretRule))));
        var make = new ExampleCredentials(seed: 5);
        string keyId = make.KeyId(), secret = make.Secret();
        var found = new List<Finding>();
        engine.ScanText($"{keyId}\n{secret}\n", new Provenance("x"), found);

        var key = Assert.Single(found, f => f.RuleId == "my-key-id");
        var paired = Assert.Single(found, f => f.RuleId == "my-secret");
        Assert.Equal(keyId, paired.KeyId);
        Assert.Equal([key.Fingerprint], paired.PairedWith);
        Assert.All(found, f => Assert.Equal(CredentialRole.Other, f.Role));
        Assert.NotEqual(keyId, key.Redacted);
    }
}

/// <summary>
/// The shipped rule files are the user-facing copy of the built-in detectors: every field of every block must equal
/// its detector's, in the same order, and the detectors run regexes compiled at build time.
/// </summary>
public sealed class ShippedRuleFileTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "KeyGuard.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("KeyGuard.sln not found above the test assembly");
    }

    private static List<Rule> ShippedRuleFiles() =>
        Directory.GetFiles(Path.Combine(RepoRoot(), "patterns"), "*.rules").Order(StringComparer.Ordinal)
            .SelectMany(f => RuleFileParser.Parse(File.ReadAllText(f), "patterns/" + Path.GetFileName(f))).ToList();

    [Fact]
    public void Every_rule_file_block_equals_its_built_in_detector()
    {
        var files = ShippedRuleFiles();
        var builtIn = RuleFileParser.LoadDefaults();
        Assert.Equal(files.Select(r => r.Id), builtIn.Select(r => r.Id));
        foreach (var (file, detector) in files.Zip(builtIn))
        {
            object Fields(Rule r) => new
            {
                r.Id, r.Title, r.Description, Regex = r.Regex.ToString(), Keywords = string.Join(" ", r.Keywords),
                PairKeywords = string.Join(" ", r.PairKeywords), r.Reach, r.MinRun, r.MaxWindow, r.LinesBefore, r.LinesAfter,
                r.Check, r.MinEntropy, r.MinHexEntropy, r.MinLength, r.Severity, r.Enabled, r.Role, r.PairsWith,
                r.FilterPlaceholders, r.Origin,
            };
            Assert.Equal(Fields(file), Fields(detector));
        }
    }

    [Fact]
    public void Built_in_detectors_run_build_time_regexes_and_a_user_rule_with_the_same_pattern_is_interpreted()
    {
        foreach (var rule in RuleFileParser.LoadDefaults())
        {
            // Generated regexes are subclasses of Regex; NativeAOT could only interpret a plain one.
            Assert.True(rule.Regex.GetType() != typeof(Regex), $"{rule.Id} is interpreted");
            Assert.Equal(Regex.InfiniteMatchTimeout, rule.Regex.MatchTimeout);
            Assert.True(rule.BuiltIn);
        }
        var shipped = RuleFileParser.LoadDefaults()[0];
        var user = RuleFileParser.Parse($"[mine]\ntitle = t\nkeywords = AKIA\nregex = {shipped.Regex}\n", "user.rules");
        Assert.Equal(typeof(Regex), Assert.Single(user).Regex.GetType());
    }

    [Fact]
    public void A_user_rules_check_borrows_the_detectors_validation_role_and_pairing()
    {
        var rule = Assert.Single(RuleFileParser.Parse("[mine]\nregex = (?<secret>x{40})\ncheck = aws-secret\n", "user.rules"));
        var secret = BuiltInDetectors.All.Single(d => d.CheckName == "aws-secret").Rule;
        Assert.Equal((secret.Check, secret.Role, secret.PairsWith), (rule.Check, rule.Role, rule.PairsWith));
        var error = Assert.Throws<InvalidInputException>(() => RuleFileParser.Parse("[mine]\nregex = x\ncheck = nope\n", "user.rules"));
        Assert.Equal("user.rules:3: unknown check 'nope' (none, aws-key-id, aws-secret, aws-session-token, aws-sso-token, entropy)", error.Message);
    }
}
