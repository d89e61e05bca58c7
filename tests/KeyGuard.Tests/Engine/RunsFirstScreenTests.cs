using System.Text;
using KeyGuard.Detection;
using KeyGuard.Detection.Detectors;
using KeyGuard.Findings;
using KeyGuard.Sources;
using KeyGuard.Tests.Support;
using Xunit;

namespace KeyGuard.Tests.Engine;

/// <summary>
/// Issue 15: on text where the keywords are everywhere, windows are found from the base64 runs first
/// (<c>TextScanner.RunsFirstWindows</c>), and run rules' regexes run on each long run's token instead of the whole
/// window (<see cref="Rule.MatchIsToken"/>). Both must find exactly what the keyword-first path and the whole-window
/// regex find.
/// </summary>
public sealed class RunsFirstScreenTests
{
    private static readonly Provenance Source = new("dense.txt");

    /// <summary>Lines where nearly every one says secret or token, with runs, hashes, JWT-like and URL-encoded
    /// values, padding, and planted keys, secrets and session tokens (paired and alone).</summary>
    private static string DenseText(int seed, int lines)
    {
        var fake = new FakeCredentials(seed);
        var r = fake.Random;
        string[] words = ["secret", "token", "secretKey", "sessionToken", "accessToken", "authToken", "client_secret", "NextToken"];
        string W() => words[r.Next(words.Length)];
        var sb = new StringBuilder();
        for (int i = 0; i < lines; i++)
        {
            switch (r.Next(14))
            {
                case 0: sb.Append($"    {W()}_sha = \"{fake.Hex(40)}\"\n"); break;
                case 1: sb.Append($"    {W()}Blob = '{fake.Chars(r.Next(30, 130), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}'\n"); break;
                case 2: sb.Append($"    aws_secret_access_key = {fake.Secret()}\n"); break;
                case 3: sb.Append($"    aws_access_key_id = {fake.KeyId(r.Next(2) == 0 ? "AKIA" : "ASIA")}\n"); break;
                case 4: sb.Append($"    {fake.Secret()}\n"); break;
                case 5: sb.Append($"    aws_session_token = {fake.SessionToken()}\n"); break;
                case 6: sb.Append($"    {W()} = \"eyJhbGciOi.{fake.Secret()}.x_-{fake.Secret()}\"\n"); break;
                case 7: sb.Append($"    {W()}=" + Uri.EscapeDataString(fake.Secret()) + "\n"); break;
                case 8: sb.Append($"    {W()}: {fake.Secret()}={fake.Secret()}_-{fake.Secret()}==\n"); break;
                case 9: sb.Append($"    {W()}Account{W()}PolicyClientConfigShapeRoleHandler: value\n"); break;
                default: sb.Append($"    const {W()}{i} = await this.{W()}.get({W()}, {i}); // rotate the {W()}\n"); break;
            }
        }
        return sb.ToString();
    }

    private static List<string> Describe(List<Finding> found) =>
        found.Select(f => $"{f.RuleId} {f.Line}:{f.Column}-{f.EndColumn} {f.Secret} {string.Join(",", f.PairedWith.Order())}").Order().ToList();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Dense_text_finds_what_the_keyword_first_path_finds(int seed)
    {
        var text = DenseText(seed, 3000);
        var bytes = Encoding.ASCII.GetBytes(text);
        var engine = new TextScanner(RuleSet.Default());
        // Dense enough for the runs-first screen: its threshold of hits is reached within its span of bytes.
        int hits = 0, at = 0;
        for (int i = 0; i < TextScanner.DenseHits; i++) { at = RuleSet.Default().Keywords!.IndexOfAny(bytes.AsSpan(), at) + 1; hits++; }
        Assert.True(at < TextScanner.DenseHits * TextScanner.DenseBytes, $"{TextScanner.DenseHits} hits end at {at}: not dense");

        // The characters' path always opens windows keyword first; the bytes' path (files, blobs) goes runs first here.
        var keywordFirst = new List<Finding>();
        engine.Scan(text, TextPosition.Start, Source, keywordFirst);
        var runsFirst = new List<Finding>();
        new ContentScanner(engine).ScanBuffer(bytes, Source, runsFirst);

        Assert.True(keywordFirst.Count > 100, $"{keywordFirst.Count} findings: the text plants too few");
        Assert.Contains(keywordFirst, f => f.RuleId == "aws-session-token");
        Assert.Equal(Describe(keywordFirst), Describe(runsFirst));
    }

    /// <summary>Found by the test above: a key ID's pairing window reaches five lines back, but when a keyword hit
    /// between them had opened the secret rule's window first, the merge kept that window's start, and the secret
    /// before the keyword was never matched.</summary>
    [Fact]
    public void A_secret_lines_before_its_key_id_is_found_with_a_keyword_between_them()
    {
        var fake = new FakeCredentials(11);
        var (secret, key) = (fake.Secret(), fake.KeyId());
        var text = $"value = {secret}\nmy_secret_name = \"prod/db\"\naws_access_key_id = {key}\n";
        var engine = new TextScanner(RuleSet.Default());

        var chars = new List<Finding>();
        engine.Scan(text, TextPosition.Start, Source, chars);
        var bytes = new List<Finding>();
        new ContentScanner(engine).ScanBuffer(Encoding.ASCII.GetBytes(text), Source, bytes);

        Assert.Contains(chars, f => f.Secret == secret && f.Line == 1);
        Assert.Contains(bytes, f => f.Secret == secret && f.Line == 1);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Run_rules_on_tokens_match_what_they_match_on_whole_windows(int seed)
    {
        var text = DenseText(seed, 2000);
        var defaults = RuleSet.Default().Rules;
        Assert.Contains(defaults, r => r.MatchIsToken);
        var wholeWindows = new TextScanner(new RuleSet(defaults.Select(r => r with { MatchIsToken = false })));
        var tokens = new TextScanner(new RuleSet(defaults));

        var a = new List<Finding>();
        wholeWindows.Scan(text, TextPosition.Start, Source, a);
        var b = new List<Finding>();
        tokens.Scan(text, TextPosition.Start, Source, b);

        Assert.True(a.Count > 100, $"{a.Count} findings");
        Assert.Equal(Describe(a), Describe(b));
    }

    /// <summary>Keyword-dense lines with hashes, identifiers and blobs next to "secret" and "token", none a credential.</summary>
    private static string DenseFiller(int lines)
    {
        var fake = new FakeCredentials(21);
        var sb = new StringBuilder();
        for (int i = 0; i < lines; i++)
            sb.Append((i % 4) switch
            {
                0 => $"    secret_sha = \"{fake.Hex(40)}\"\n",
                1 => $"    secretBlob = '{fake.Chars(76, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}'\n",
                2 => "    secretConfigValueResultHandlerRequestClientShape: token\n",
                _ => $"    const secretToken{i} = await this.tokens.getSessionToken(name); // rotate the secret\n",
            });
        return sb.ToString();
    }

    public static TheoryData<string> Detectors() => new(BuiltInDetectors.All.Select(d => d.Id));

    /// <summary>Every detector's true positives, in the middle of keyword-dense text read as bytes (the runs-first
    /// screen, with each rule's <see cref="Rule.RunMayHold"/>), are found as on their own.</summary>
    [Theory, MemberData(nameof(Detectors))]
    public void True_positives_are_found_in_keyword_dense_text(string id)
    {
        var detector = BuiltInDetectors.All.Single(d => d.Id == id);
        var engine = new ContentScanner(new TextScanner(new RuleSet(RuleFileParser.LoadDefaults().Select(r => r with { Enabled = true }))));
        string before = DenseFiller(60), after = DenseFiller(20);
        foreach (var example in detector.TruePositives(new ExampleCredentials(seed: 12)))
        {
            var found = new List<Finding>();
            engine.ScanBuffer(Encoding.UTF8.GetBytes(before + example.Text.TrimEnd('\n') + "\n" + after), Source, found);
            Assert.Single(found, f => f.RuleId == id && f.Secret == example.Reported);
        }
    }

    [Fact]
    public void The_dense_filler_takes_the_runs_first_screen_and_holds_no_finding()
    {
        var bytes = Encoding.ASCII.GetBytes(DenseFiller(60));
        int at = 0;
        for (int i = 0; i < TextScanner.DenseHits; i++) at = RuleSet.Default().Keywords!.IndexOfAny(bytes.AsSpan(), at) + 1;
        Assert.True(at < TextScanner.DenseHits * TextScanner.DenseBytes, $"{TextScanner.DenseHits} hits end at {at}: not dense");
        var found = new List<Finding>();
        new ContentScanner(new TextScanner(RuleSet.Default())).ScanBuffer(bytes, Source, found);
        Assert.Empty(found);
    }

    [Fact]
    public void A_run_may_be_a_secret_only_when_forty_characters_of_a_secrets_shape_once_decoded()
    {
        var fake = new FakeCredentials(31);
        for (int i = 0; i < 200; i++)
        {
            var secret = fake.Secret();
            Assert.True(AwsSecretAccessKey.RunMayBeSecret(Encoding.ASCII.GetBytes(secret)), secret);
            var escaped = secret.Replace("/", "%2F").Replace("+", "%2b");
            Assert.True(AwsSecretAccessKey.RunMayBeSecret(Encoding.ASCII.GetBytes(escaped)), escaped);
        }
        string b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        foreach (var run in new[] { fake.Hex(40), fake.Chars(39, b64), fake.Chars(41, b64), fake.Chars(76, b64),
                                    "secretConfigValueResultHandlerRequestCli", fake.Chars(40, "abcdefghijklmnopqrstuvwxyz0123456789") })
            Assert.False(AwsSecretAccessKey.RunMayBeSecret(Encoding.ASCII.GetBytes(run)), run);
    }

    /// <summary>The screen does consult the run test: one that refuses every run loses the dense text's secrets on
    /// the bytes' path (and the characters' path, keyword first, still finds them).</summary>
    [Fact]
    public void A_run_test_refusing_every_run_loses_the_secrets_of_dense_bytes()
    {
        var text = DenseText(7, 2000);
        var refusing = new TextScanner(new RuleSet(RuleSet.Default().Rules.Select(r => r.RunMayHold is null ? r : r with { RunMayHold = _ => false })));
        var chars = new List<Finding>();
        refusing.Scan(text, TextPosition.Start, Source, chars);
        var bytes = new List<Finding>();
        new ContentScanner(refusing).ScanBuffer(Encoding.ASCII.GetBytes(text), Source, bytes);
        int Secrets(List<Finding> found) => found.Count(f => f.RuleId == "aws-secret-access-key");
        Assert.True(Secrets(chars) > 50, $"{Secrets(chars)} secrets");
        Assert.True(Secrets(bytes) < Secrets(chars) / 2, $"{Secrets(bytes)} of {Secrets(chars)} secrets still found");
    }
}
