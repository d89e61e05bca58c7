using System.Diagnostics;
using KeyGuard;
using KeyGuard.Findings;
using Xunit;

namespace KeyGuard.Library.Tests;

/// <summary>The engine's front door, used as a library user would: only public types, no KeyGuard test helpers.</summary>
public sealed class PublicApiTests : IDisposable
{
    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private readonly Random _random = new(20261206);
    private readonly string _dir = Directory.CreateTempSubdirectory("kg-library-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Fake keys made at run time: random bodies, the shape AWS gives them. Nothing credential-shaped is committed.
    private string KeyId() => "AKIA" + Chars(16, Base32);
    private string Secret() => Chars(40, Base64);
    private string Chars(int n, string alphabet) => new(Enumerable.Range(0, n).Select(_ => alphabet[_random.Next(alphabet.Length)]).ToArray());

    [Fact]
    public void A_key_pair_in_text_is_found_with_roles_positions_and_redaction()
    {
        string id = KeyId(), secret = Secret();
        var text = $"# deploy settings\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n";

        var findings = SecretScanner.CreateDefault().Scan(text, "settings.ini");

        Assert.Collection(findings,
            f =>
            {
                Assert.Equal(CredentialRole.KeyId, f.Role);
                Assert.Equal(id, f.KeyId);
                Assert.Equal(("settings.ini", 2, 21), (f.Path, f.Line, f.Column));
            },
            f =>
            {
                Assert.Equal(CredentialRole.Secret, f.Role);
                Assert.Equal(secret, f.Secret);
                Assert.Equal(id, f.KeyId);   // paired with its key ID
                Assert.Equal(3, f.Line);
                Assert.DoesNotContain(secret, f.Redacted);
            });
    }

    [Fact]
    public void Bytes_in_utf16_and_a_stream_give_the_same_findings_as_text()
    {
        string id = KeyId(), secret = Secret();
        var text = $"export AWS_ACCESS_KEY_ID={id}\nexport AWS_SECRET_ACCESS_KEY={secret}\n";
        var scanner = SecretScanner.CreateDefault();

        var fromText = scanner.Scan(text).Select(f => (f.RuleId, f.Secret, f.Line, f.Column)).ToList();
        var fromUtf16 = scanner.Scan(System.Text.Encoding.Unicode.GetBytes(text)).Select(f => (f.RuleId, f.Secret, f.Line, f.Column)).ToList();
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        var fromStream = scanner.Scan(stream).Select(f => (f.RuleId, f.Secret, f.Line, f.Column)).ToList();

        Assert.Equal(2, fromText.Count);
        Assert.Equal(fromText, fromUtf16);
        Assert.Equal(fromText, fromStream);
    }

    [Fact]
    public void Binary_bytes_and_clean_text_give_nothing()
    {
        var scanner = SecretScanner.CreateDefault();
        var binary = new byte[4096];
        _random.NextBytes(binary);
        binary[0] = 0;
        Assert.Empty(scanner.Scan(binary));
        Assert.Empty(scanner.Scan("nothing to see here\n"));
    }

    [Fact]
    public void A_user_rule_file_adds_a_rule_and_a_bad_one_is_an_invalid_input_naming_the_file()
    {
        var rules = Path.Combine(_dir, "team.rules");
        File.WriteAllText(rules, "[team-token]\ntitle = Team token\nkeywords = tt_\nregex = tt_[a-z0-9]{24}\nseverity = high\n");
        var token = "tt_" + Chars(24, "abcdefghijklmnopqrstuvwxyz0123456789");

        var found = SecretScanner.Create([rules]).Scan($"token: {token}\n");
        Assert.Contains(found, f => f.RuleId == "team-token" && f.Secret == token);

        File.WriteAllText(rules, "[broken]\nregex = ([a-z\n");
        var e = Assert.Throws<InvalidInputException>(() => SecretScanner.Create([rules]));
        Assert.Contains("team.rules", e.Message);
    }

    [Fact]
    public void A_folder_scan_honours_the_config_allowlist_and_inline_markers_as_keyguard_scan_does()
    {
        string id = KeyId(), allowedId = KeyId(), markedId = KeyId();
        File.WriteAllText(Path.Combine(_dir, "app.env"), $"AWS_ACCESS_KEY_ID={id}\n");
        File.WriteAllText(Path.Combine(_dir, "fixture.env"), $"AWS_ACCESS_KEY_ID={allowedId}\n");
        File.WriteAllText(Path.Combine(_dir, "marked.env"), $"AWS_ACCESS_KEY_ID={markedId} # keyguard:allow\n");
        File.WriteAllText(Path.Combine(_dir, ".keyguard.json"), $"{{\"allowlist\": {{\"secrets\": [\"{allowedId}\"]}}}}");

        var result = FolderScanner.Scan(_dir);

        Assert.Empty(result.Errors);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(id, finding.KeyId);
        Assert.EndsWith("app.env", finding.Path);
        Assert.False(result.Clean);
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_an_invalid_input()
    {
        var e = Assert.Throws<InvalidInputException>(() => FolderScanner.Scan(Path.Combine(_dir, "missing")));
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void The_docs_example_runs_and_prints_no_secret()
    {
        string id = KeyId(), secret = Secret();
        File.WriteAllText(Path.Combine(_dir, "deploy.sh"), $"export AWS_ACCESS_KEY_ID={id}\nexport AWS_SECRET_ACCESS_KEY={secret}\n");
        var output = new StringWriter();

        int exit = LibraryExample.Run($"aws_secret_access_key = {Secret()}\naws_access_key_id = {KeyId()}\n", _dir, output);

        Assert.Equal(1, exit);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Contains(lines, l => l.Contains("deploy.sh:1:") && l.Contains(id));
        Assert.DoesNotContain(secret, output.ToString());
        Assert.Equal(0, LibraryExample.Run("", Directory.CreateTempSubdirectory("kg-library-clean-").FullName, TextWriter.Null));
    }
}
