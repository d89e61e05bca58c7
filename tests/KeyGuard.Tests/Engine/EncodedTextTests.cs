using System.Text;
using System.Text.Json;
using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Reporting;
using KeyGuard.Scanning;
using KeyGuard.Sources;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Engine;

/// <summary>
/// The decoding stage (Detection/EncodedText.cs): credentials in \u escapes, HTML entities and base64 are found,
/// reported decoded, placed on the encoded text and named by their encoding; in every text encoding the scanner reads.
/// </summary>
public sealed class EncodedTextTests
{
    private static readonly ContentScanner Engine = new(new TextScanner(RuleSet.Default()));
    private readonly FakeCredentials _fake = new(seed: 1414);

    private static List<Finding> Scan(string text)
    {
        var found = new List<Finding>();
        Engine.ScanText(text, new Provenance("x"), found);
        return found;
    }

    private static List<Finding> ScanBytes(byte[] bytes)
    {
        var found = new List<Finding>();
        Engine.Scan(bytes, new Provenance("x"), found);
        return found;
    }

    private static string Escaped(string s) => string.Concat(s.Select(c => $"\\u{(int)c:x4}"));
    private static string Base64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
    private static string Base64Url(string s) => Base64(s).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The key ID and secret, each once, paired, with the expected encoding.</summary>
    private static (Finding Key, Finding Secret) AssertPair(List<Finding> found, string id, string secret, string encoding)
    {
        var key = Assert.Single(found, f => f.Role == CredentialRole.KeyId);
        var sec = Assert.Single(found, f => f.Role == CredentialRole.Secret);
        Assert.Equal((id, secret), (key.Secret, sec.Secret));
        Assert.Equal((encoding, encoding), (key.Encoding, sec.Encoding));
        Assert.Equal(id, sec.KeyId);
        Assert.Contains(key.Fingerprint, sec.PairedWith);
        Assert.Contains(sec.Fingerprint, key.PairedWith);
        return (key, sec);
    }

    [Fact]
    public void A_unicode_escaped_pair_is_found_where_the_escapes_are()
    {
        string id = _fake.KeyId(), secret = _fake.Secret();
        string prefix = "  \"accessKeyId\": \"";
        var text = $"{{\n{prefix}{Escaped(id)}\",\n  \"secretAccessKey\": \"{Escaped(secret)}\"\n}}\n";
        var (key, sec) = AssertPair(Scan(text), id, secret, "unicode-escape");
        Assert.Equal((2, prefix.Length + 1, prefix.Length + 1 + 6 * 20), (key.Line, key.Column, key.EndColumn));
        Assert.Equal(3, sec.Line);
        Assert.Equal(6 * 40, sec.EndColumn - sec.Column);
    }

    [Fact]
    public void An_entity_encoded_pair_is_found_decimal_hex_and_named()
    {
        string id = _fake.KeyId(), secret = _fake.Secret();
        string Entities(string s) => string.Concat(s.Select((c, i) => c == '/' ? "&sol;" : i % 2 == 0 ? $"&#{(int)c};" : $"&#x{(int)c:x};"));
        var text = $"<dl><dt>Access key</dt><dd>{Entities(id)}</dd>\n<dt>Secret</dt><dd>{Entities(secret)}</dd></dl>\n";
        AssertPair(Scan(text), id, secret, "html-entity");
    }

    [Fact]
    public void A_jwt_with_a_key_pair_in_its_payload_is_found_in_the_payload()
    {
        string id = _fake.KeyId(), secret = _fake.Secret();
        string header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        string payload = Base64Url($"{{\"sub\":\"ci\",\"aws\":{{\"accessKeyId\":\"{id}\",\"secretAccessKey\":\"{secret}\"}},\"iat\":1765015200}}");
        string prefix = $"Authorization: Bearer {header}.";
        var text = $"GET / HTTP/1.1\n{prefix}{payload}.{_fake.Chars(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}\n";
        var (key, sec) = AssertPair(Scan(text), id, secret, "base64");
        // Inside the payload, not the header or the signature.
        Assert.All(new[] { key, sec }, f => Assert.InRange(f.Column, prefix.Length + 1, prefix.Length + payload.Length));
        Assert.Equal(2, key.Line);
    }

    [Fact]
    public void A_kubernetes_secret_and_a_docker_config_are_decoded()
    {
        string id = _fake.KeyId(), secret = _fake.Secret();
        var k8s = $"apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws\ndata:\n  AWS_ACCESS_KEY_ID: {Base64(id)}\n  AWS_SECRET_ACCESS_KEY: {Base64(secret)}\n";
        var (key, sec) = AssertPair(Scan(k8s), id, secret, "base64");
        Assert.Equal((6, "  AWS_ACCESS_KEY_ID: ".Length + 1), (key.Line, key.Column));
        Assert.Equal((7, "  AWS_SECRET_ACCESS_KEY: ".Length + 1), (sec.Line, sec.Column));

        id = _fake.KeyId(); secret = _fake.Secret();
        var docker = $"{{\n  \"auths\": {{\n    \"registry.example.com\": {{\n      \"auth\": \"{Base64($"{id}:{secret}")}\"\n    }}\n  }}\n}}\n";
        AssertPair(Scan(docker), id, secret, "base64");
    }

    [Fact]
    public void Nested_encodings_are_named_outermost_first_and_bounded()
    {
        // A .NET-written JSON (its writer escapes '+') dumped as base64.
        string id = _fake.KeyId(), secret = _fake.Secret().Remove(5, 1).Insert(5, "+");
        var json = $"{{\"accessKeyId\":\"{id}\",\"secretAccessKey\":\"{secret.Replace("+", "\\u002B")}\"}}";
        var found = Scan($"dump: {Base64(json)}\n");
        Assert.Equal("base64", Assert.Single(found, f => f.Role == CredentialRole.KeyId).Encoding);
        var sec = Assert.Single(found, f => f.Role == CredentialRole.Secret);
        Assert.Equal((secret, "base64+unicode-escape", id), (sec.Secret, sec.Encoding, sec.KeyId));
        // Base64 of base64 is not followed: its outer layer holds no trigger (and two encodings is the depth bound).
        Assert.Empty(Scan($"dump: {Base64(Base64(json))}\n"));
    }

    [Fact]
    public void A_plain_key_id_with_an_escaped_secret_is_reported_once_and_paired()
    {
        // System.Text.Json escapes '+' as \u002B by default.
        string id = _fake.KeyId(), secret = _fake.Secret().Remove(7, 1).Insert(7, "+");
        var found = Scan($"{{\"AccessKeyId\":\"{id}\",\"SecretAccessKey\":\"{secret.Replace("+", "\\u002B")}\"}}\n");
        var key = Assert.Single(found, f => f.Role == CredentialRole.KeyId);
        var sec = Assert.Single(found, f => f.Role == CredentialRole.Secret);
        Assert.Null(key.Encoding);
        Assert.Equal((secret, "unicode-escape"), (sec.Secret, sec.Encoding));
        Assert.Equal([sec.Fingerprint], key.PairedWith);
        Assert.Equal([key.Fingerprint], sec.PairedWith);
    }

    [Fact]
    public void Encoded_text_without_credentials_gives_nothing()
    {
        var text = $"title: \"Caf\\u00e9 &#233;t&eacute; &amp; &#x3C;b&#x3E;\"\n" +
                   $"config: {Base64("{\"region\": \"us-east-1\", \"output\": \"json\"}")}\n" +
                   $"logo: data:image/png;base64,{Convert.ToBase64String(Enumerable.Range(0, 600).Select(i => (byte)(i * 7919 % 251)).ToArray())}\n" +
                   $"jwt: {Base64Url("{\"alg\":\"none\"}")}.{Base64Url("{\"sub\":\"someone\",\"scope\":\"read\"}")}.\n";
        Assert.Empty(Scan(text));
    }

    public static TheoryData<string> Unicode() => new() { "utf-16le", "utf-16be", "utf-32le", "utf-32be" };

    [Theory, MemberData(nameof(Unicode))]
    public void Decoders_work_in_utf16_and_utf32_without_a_byte_order_mark(string name)
    {
        Encoding encoding = name switch
        {
            "utf-16le" => new UnicodeEncoding(false, false),
            "utf-16be" => new UnicodeEncoding(true, false),
            "utf-32le" => new UTF32Encoding(false, false),
            _ => new UTF32Encoding(true, false),
        };
        string id = _fake.KeyId(), secret = _fake.Secret();
        var escaped = $"{{\n  \"accessKeyId\": \"{Escaped(id)}\",\n  \"secretAccessKey\": \"{Escaped(secret)}\"\n}}\n";
        Assert.Empty(encoding.GetPreamble());
        AssertPair(ScanBytes(encoding.GetBytes(escaped)), id, secret, "unicode-escape");

        id = _fake.KeyId(); secret = _fake.Secret();
        var k8s = $"kind: Secret\ndata:\n  AWS_ACCESS_KEY_ID: {Base64(id)}\n  AWS_SECRET_ACCESS_KEY: {Base64(secret)}\n";
        var (key, _) = AssertPair(ScanBytes(encoding.GetBytes(k8s)), id, secret, "base64");
        Assert.Equal((3, "  AWS_ACCESS_KEY_ID: ".Length + 1), (key.Line, key.Column));

        id = _fake.KeyId(); secret = _fake.Secret();
        var html = $"<p>{string.Concat(id.Select(c => $"&#{(int)c};"))}</p>\n<p>{string.Concat(secret.Select(c => $"&#x{(int)c:x};"))}</p>\n";
        AssertPair(ScanBytes(encoding.GetBytes(html)), id, secret, "html-entity");
    }

    [Fact]
    public void Columns_count_characters_in_utf8_before_an_encoded_segment()
    {
        string id = _fake.KeyId(), secret = _fake.Secret();
        string prefix = "  \"clé\": \"";
        var text = $"{{\n{prefix}{Escaped(id)}\",\n  \"secret\": \"{Escaped(secret)}\"\n}}\n";
        var (key, _) = AssertPair(ScanBytes(Encoding.UTF8.GetBytes(text)), id, secret, "unicode-escape");
        Assert.Equal(prefix.Length + 1, key.Column);
    }

    [Fact]
    public void The_json_report_names_the_encoding()
    {
        string id = _fake.KeyId();
        var found = Scan($"key: {Escaped(id)}\nplain: {_fake.KeyId()}\n");
        var result = new ScanResult();
        result.Findings.AddRange(found);
        using var stream = new MemoryStream();
        new JsonReporter().Write(result, stream, new ReportOptions());
        using var json = JsonDocument.Parse(stream.ToArray());
        var findings = json.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.Equal(2, findings.Count);
        Assert.Equal("unicode-escape", findings.Single(f => f.GetProperty("secret").GetString() == id).GetProperty("encoding").GetString());
        Assert.False(findings.Single(f => f.GetProperty("secret").GetString() != id).TryGetProperty("encoding", out _));
    }

    /// <summary>Whether the decoding gate lets the window of the trigger <paramref name="hit"/> through.</summary>
    private static bool Worth(string text, string hit)
    {
        int at = text.IndexOf(hit, StringComparison.Ordinal);
        return EncodedText.WorthDecoding(text.AsSpan(), at, at + hit.Length);
    }

    [Fact]
    public void Escapes_and_entities_in_prose_are_not_decoded_but_runs_that_can_hold_a_credential_are()
    {
        Assert.False(Worth("title: \"Caf\\u00e9 cr\\u00e8me\"", "\\u00e9"));
        Assert.False(Worth("<p>don&#x27;t &#8212; won&#39;t</p>", "&#x27;"));
        Assert.True(Worth($"key: \"{Escaped(_fake.KeyId())}\"", "\\u00"));
        Assert.True(Worth($"secret: \"{_fake.Secret()[..20]}\\u002B{_fake.Secret()[..19]}\"", "\\u002B"));
        Assert.True(Worth($"<td>{string.Concat(_fake.KeyId().Select(c => $"&#{(int)c};"))}</td>", "&#"));
    }

    /// <summary>
    /// What SDK service models are full of passes the run-length gate but cannot hide a credential: escaped Unicode
    /// ranges in patterns and escaped markup around names (a quarter of botocore's and aws-sdk-js's bytes were decoded
    /// for them; bench/RESULTS.md). Escapes that stand for base64 characters, and a key ID glued to markup, still are.
    /// </summary>
    [Fact]
    public void Escaped_ranges_and_markup_around_names_are_not_decoded_but_a_key_glued_to_markup_is_found()
    {
        Assert.False(Worth("\"pattern\": \"[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*\"", "\\u0020"));
        Assert.False(Worth("\"documentation\": \"\\u003ccode\\u003eAccessKeyId\\u003c/code\\u003e of the user\"", "\\u003c"));
        Assert.False(Worth("<p>&#x3C;code&#x3E;SecretAccessKey&#x3C;/code&#x3E;</p>", "&#x3C;"));

        var id = _fake.KeyId();
        var glued = $"\"documentation\": \"\\u003ccode\\u003e{id}\\u003c/code\\u003e\"";
        Assert.True(Worth(glued, "\\u003e"));
        Assert.Contains(Scan(glued + "\n"), f => f.Secret == id);
        // Mostly escaped: 8 escaped letters or digits are enough.
        Assert.True(Worth($"v: \"{string.Concat(id[..8].Select(c => $"\\u{(int)c:x4}"))}{id[8..]}\"", "\\u00"));
    }

    [Fact]
    public void Encoded_keywords_are_the_base64_forms_of_the_key_id_prefixes_at_each_alignment()
    {
        Assert.Equal(["QUtJQ", "FLSU", "BS0lB"], EncodedText.Base64Forms("AKIA"));
        // Whatever precedes it, a base64 run holding AKIA contains one of them.
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            var before = new byte[random.Next(0, 9)];
            random.NextBytes(before);
            var run = Convert.ToBase64String([.. before, .. "AKIA"u8.ToArray(), (byte)random.Next(256)]);
            Assert.Contains(EncodedText.Base64Forms("AKIA"), form => run.Contains(form, StringComparison.Ordinal));
        }
    }
}
