using System.Text;
using System.Text.Json;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Cli;

/// <summary>The real `keyguard scan` process: exit codes, formats, redaction, config, suppression, bad input.</summary>
public sealed class ScanCliTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeCredentials _fake = new(7);

    private string? _binCopy;

    public void Dispose() => _dir.Dispose();

    private (string Id, string Secret) PlantPair(string file)
    {
        var id = _fake.KeyId("AKIA", "123456789012");
        var secret = _fake.Secret();
        _dir.Write(file, $"AWS_ACCESS_KEY_ID={id}\nAWS_SECRET_ACCESS_KEY={secret}\n");
        return (id, secret);
    }

    private static JsonElement Json(string stdout) => JsonDocument.Parse(stdout).RootElement;

    [Fact]
    public void Clean_tree_exits_0_and_findings_exit_1()
    {
        _dir.Write("README.md", "nothing here\n");
        Assert.Equal(0, KeyGuardProcess.Run(_dir.Path, null, "scan", ".").ExitCode);
        PlantPair(".env");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", ".");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(".env:1:19", r.Stdout);
    }

    [Fact]
    public void Text_output_redacts_the_secret_unless_show_secrets()
    {
        var (id, secret) = PlantPair(".env");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan");
        Assert.Contains(id, r.Stdout);                 // key IDs are identifiers
        Assert.DoesNotContain(secret, r.Stdout + r.Stderr);
        Assert.Contains(secret[..4] + "…(40)", r.Stdout);
        Assert.Contains("account 123456789012", r.Stdout);
        Assert.Contains(secret, KeyGuardProcess.Run(_dir.Path, null, "scan", "--show-secrets").Stdout);
    }

    [Fact]
    public void Json_report_follows_the_documented_contract()
    {
        var (id, secret) = PlantPair("config/.env");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "--format", "json");
        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain(secret, r.Stdout);
        var root = Json(r.Stdout);
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        var findings = root.GetProperty("findings").EnumerateArray().ToList();
        Assert.Equal(2, findings.Count);
        var key = findings.Single(f => f.GetProperty("rule").GetString() == "aws-access-key-id");
        var sec = findings.Single(f => f.GetProperty("rule").GetString() == "aws-secret-access-key");
        Assert.Equal("config/.env", key.GetProperty("path").GetString());
        Assert.Equal(1, key.GetProperty("line").GetInt32());
        Assert.Equal(19, key.GetProperty("column").GetInt32());
        Assert.Equal(39, key.GetProperty("endColumn").GetInt32());
        Assert.Equal(id, key.GetProperty("keyId").GetString());
        Assert.Equal("123456789012", key.GetProperty("account").GetString());
        Assert.Equal("long-term", key.GetProperty("keyKind").GetString());
        Assert.Equal(id, sec.GetProperty("keyId").GetString());
        Assert.Equal(sec.GetProperty("fingerprint").GetString(), key.GetProperty("pairedWith")[0].GetString());
        Assert.Equal(2, root.GetProperty("stats").GetProperty("findings").GetInt32());
        Assert.Equal(1, root.GetProperty("stats").GetProperty("filesScanned").GetInt32());
    }

    [Fact]
    public void Sarif_report_has_rules_results_regions_and_fingerprints()
    {
        PlantPair(".env");
        var output = Path.Combine(_dir.Path, "out.sarif");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", ".env", "--format", "sarif", "--output", output);
        Assert.Equal(1, r.ExitCode);
        var root = Json(File.ReadAllText(output));
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        var run = root.GetProperty("runs")[0];
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(x => x.GetProperty("id").GetString()).ToList();
        Assert.Contains("aws-secret-access-key", rules);
        var result = run.GetProperty("results").EnumerateArray().First(x => x.GetProperty("ruleId").GetString() == "aws-secret-access-key");
        Assert.Equal("error", result.GetProperty("level").GetString());
        var region = result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
        Assert.Equal(2, region.GetProperty("startLine").GetInt32());
        Assert.Equal(23, region.GetProperty("startColumn").GetInt32());
        Assert.Equal(63, region.GetProperty("endColumn").GetInt32());
        Assert.Equal(".env", result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(32, result.GetProperty("partialFingerprints").GetProperty("keyguard/v1").GetString()!.Length);
    }

    [Fact]
    public void Csv_report_has_a_header_and_a_row_per_finding()
    {
        var (id, secret) = PlantPair(".env");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "--format", "csv");
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("rule,severity,path,line,column", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains(id, r.Stdout);
        Assert.DoesNotContain(secret, r.Stdout);
    }

    [Fact]
    public void Stdin_is_scanned_with_the_given_name()
    {
        var id = _fake.KeyId();
        var r = KeyGuardProcess.Run(_dir.Path, $"deploy key {id}\n", "scan", "-", "--stdin-name", "pasted.txt");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"pasted.txt:1:12", r.Stdout);
    }

    [Fact]
    public void Hidden_files_are_scanned_git_ignored_files_are_not_unless_no_ignore()
    {
        LibGit2Sharp.Repository.Init(_dir.Path);
        _dir.Write(".gitignore", "secrets/\n");
        var hidden = _fake.KeyId();
        var ignored = _fake.KeyId();
        _dir.Write(".aws/credentials", $"aws_access_key_id = {hidden}\n");
        _dir.Write("secrets/key.txt", $"key {ignored}\n");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan");
        Assert.Contains(hidden, r.Stdout);
        Assert.DoesNotContain(ignored, r.Stdout);
        Assert.Contains(ignored, KeyGuardProcess.Run(_dir.Path, null, "scan", "--no-ignore").Stdout);
    }

    [Fact]
    public void Include_and_exclude_globs_choose_files()
    {
        var a = _fake.KeyId(); var b = _fake.KeyId();
        _dir.Write("src/app.py", $"k = '{a}'\n");
        _dir.Write("vendor/lib.js", $"k = '{b}'\n");
        var excluded = KeyGuardProcess.Run(_dir.Path, null, "scan", "--exclude", "vendor/**");
        Assert.Contains(a, excluded.Stdout);
        Assert.DoesNotContain(b, excluded.Stdout);
        var included = KeyGuardProcess.Run(_dir.Path, null, "scan", "--include", "**/*.js");
        Assert.DoesNotContain(a, included.Stdout);
        Assert.Contains(b, included.Stdout);
    }

    [Fact]
    public void Inline_allow_allowlist_and_config_suppress()
    {
        var allowedInline = _fake.KeyId(); var allowedByRegex = _fake.KeyId(); var allowedByPath = _fake.KeyId(); var reported = _fake.KeyId();
        _dir.Write("a.py", $"k = '{allowedInline}'  # keyguard:allow\nk2 = '{reported}'\n");
        _dir.Write("b.py", $"k = '{allowedByRegex}'\n");
        _dir.Write("fixtures/c.py", $"k = '{allowedByPath}'\n");
        _dir.Write(".keyguard.json", $"{{ \"allowlist\": {{ \"secrets\": [\"^{allowedByRegex}$\"], \"paths\": [\"fixtures/**\"] }} }}");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "--format", "json");
        var ids = Json(r.Stdout).GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("keyId").GetString()).ToList();
        Assert.Equal([reported], ids);
        var stats = Json(r.Stdout).GetProperty("stats");
        Assert.Equal(1, stats.GetProperty("suppressedInline").GetInt32());
        // The config file itself is scanned: its mention of the allowed key is suppressed by the same regex.
        Assert.Equal(3, stats.GetProperty("suppressedAllowlist").GetInt32());
    }

    [Fact]
    public void Baseline_hides_known_findings_survives_moves_and_lists_unseen_entries()
    {
        var (id, secret) = PlantPair("app/.env");
        var baseline = Path.Combine(_dir.Path, "baseline.json");
        Assert.Equal(0, KeyGuardProcess.Run(_dir.Path, null, "baseline", "create", ".", "-o", baseline).ExitCode);
        var text = File.ReadAllText(baseline);
        Assert.DoesNotContain(secret, text);
        Assert.Equal(0, KeyGuardProcess.Run(_dir.Path, null, "scan", "--baseline", baseline, "--exclude", "baseline.json").ExitCode);

        // Moving the code does not churn the baseline; a new secret is reported; a removed one is listed as unseen.
        File.Delete(Path.Combine(_dir.Path, "app/.env"));
        _dir.Write("moved/settings.env", $"\n\nAWS_ACCESS_KEY_ID={id}\n");
        var fresh = _fake.KeyId();
        _dir.Write("new.txt", fresh + "\n");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "--baseline", baseline, "--exclude", "baseline.json", "--format", "json");
        var root = Json(r.Stdout);
        Assert.Equal([fresh], root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("keyId").GetString()).ToList());
        Assert.Equal("aws-secret-access-key", root.GetProperty("baselineUnseen")[0].GetProperty("rule").GetString());
    }

    [Fact]
    public void User_pattern_files_add_rules_and_bad_regex_names_file_and_line()
    {
        _dir.Write("rules/internal.rules", "# our tokens\n[acme-token]\ntitle = ACME token\nkeywords = acme_\nregex = (?<secret>acme_[a-z0-9]{24})\n");
        var token = "acme_" + _fake.Chars(24, "abcdefghijklmnopqrstuvwxyz0123456789");
        _dir.Write("app.cfg", $"token={token}\n");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "app.cfg", "--patterns", "rules/internal.rules");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("acme-token", r.Stdout);

        _dir.Write("rules/bad.rules", "[broken]\n\nregex = (unclosed\n");
        var bad = KeyGuardProcess.Run(_dir.Path, null, "scan", "app.cfg", "--patterns", "rules/bad.rules");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("keyguard: rules/bad.rules:3: bad regex in rule 'broken'", bad.Stderr.Trim());
        Assert.Single(bad.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_user_rule_that_matches_the_empty_string_is_rejected_and_empty_matches_are_never_findings()
    {
        _dir.Write("app.cfg", "secret secret\n" + new string('x', 1000) + "\n");
        _dir.Write("rules/empty.rules", "[star]\nregex = x*\n");
        var star = KeyGuardProcess.Run(_dir.Path, null, "scan", "app.cfg", "--patterns", "rules/empty.rules");
        Assert.Equal(2, star.ExitCode);
        Assert.StartsWith("keyguard: rules/empty.rules:2: rule 'star' matches the empty string", star.Stderr.Trim());
        Assert.Single(star.Stderr.Trim().Split('\n'));

        // Empty on its own input it is not, but it matches nothing wherever it matches.
        _dir.Write("rules/ahead.rules", "[ahead]\nregex = (?=secret)\n");
        var ahead = KeyGuardProcess.Run(_dir.Path, null, "scan", "app.cfg", "--patterns", "rules/ahead.rules", "--format", "json");
        Assert.True(ahead.ExitCode == 0, ahead.Stdout + ahead.Stderr);
        Assert.Equal(0, Json(ahead.Stdout).GetProperty("findings").GetArrayLength());
    }

    [Fact]
    public void A_user_rule_that_times_out_is_an_error_and_the_other_rules_still_report_that_file()
    {
        var (id, _) = PlantPair("both.env");
        File.AppendAllText(Path.Combine(_dir.Path, "both.env"), new string('a', 5000) + "\n");
        _dir.Write("rules/evil.rules", "[evil]\nregex = (?<secret>(a+)+b)\n");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "both.env", "--patterns", "rules/evil.rules", "--format", "json");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("rule 'evil' (rules/evil.rules:1) timed out", r.Stderr);
        var root = Json(r.Stdout);
        var rules = root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("rule").GetString()).Order().ToList();
        Assert.Equal(["aws-access-key-id", "aws-secret-access-key"], rules);
        Assert.Equal(id, root.GetProperty("findings")[0].GetProperty("keyId").GetString());
        Assert.Equal("both.env", Assert.Single(root.GetProperty("errors").EnumerateArray()).GetProperty("path").GetString());
    }

    [Fact]
    public void Utf16_without_a_mark_and_utf32_are_told_by_their_nuls_decoded_and_scanned_at_the_right_lines()
    {
        var files = new Dictionary<string, (Encoding Encoding, bool Mark, int Line)>
        {
            ["le16.ini"] = (new UnicodeEncoding(false, false), false, 3),
            ["be16.ini"] = (new UnicodeEncoding(true, false), false, 3),
            ["le32bom.ini"] = (new UTF32Encoding(false, false), true, 3),
            ["le32.ini"] = (new UTF32Encoding(false, false), false, 3),
            ["be32bom.ini"] = (new UTF32Encoding(true, false), true, 3),
            // Past one read chunk: decoded in chunks, lines counted across them.
            ["big16.ini"] = (new UnicodeEncoding(false, false), false, 40_003),
        };
        var keys = new Dictionary<string, string>();
        foreach (var (name, (encoding, mark, line)) in files)
        {
            var key = _fake.KeyId();
            keys[name] = key;
            var text = string.Concat(Enumerable.Repeat("[default]\r\n", line - 2)) + "region = eu-west-1\r\naws_access_key_id = " + key + "\r\n";
            _dir.WriteBytes(name, encoding.GetBytes((mark ? "\uFEFF" : "") + text));
        }
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", ".", "--format", "json");
        Assert.True(r.ExitCode == 1, r.Stdout + r.Stderr);
        var root = Json(r.Stdout);
        Assert.Equal(0, root.GetProperty("stats").GetProperty("binarySkipped").GetInt32());
        var found = root.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("path").GetString()!, f.GetProperty("keyId").GetString()!, f.GetProperty("line").GetInt32(), f.GetProperty("column").GetInt32()))
            .OrderBy(f => f.Item1, StringComparer.Ordinal).ToList();
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal).Select(n => (n, keys[n], files[n].Line, 21)), found);
    }

    [Fact]
    public void Generic_rule_is_off_by_default_and_can_be_enabled()
    {
        _dir.Write("app.py", $"api_token = \"{_fake.Chars(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}\"\n");
        Assert.Equal(0, KeyGuardProcess.Run(_dir.Path, null, "scan").ExitCode);
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "--enable-rule", "generic-high-entropy");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("generic-high-entropy", r.Stdout);
    }

    [Theory]
    [InlineData("--format", "yaml")]
    [InlineData("--threads", "-1")]
    [InlineData("--enable-rule", "no-such-rule")]
    [InlineData("--config", "missing.json")]
    [InlineData("--baseline", "missing.json")]
    public void Bad_options_are_one_line_errors_with_exit_2(string option, string value)
    {
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Bad_config_names_the_file()
    {
        _dir.Write(".keyguard.json", "{ \"allowlists\": [] }");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(".keyguard.json: unknown key 'allowlists'", r.Stderr);
    }

    [Fact]
    public void Missing_paths_and_broken_symlinks_are_errors_with_exit_3_after_the_rest_is_scanned()
    {
        var id = _fake.KeyId();
        _dir.Write("ok.txt", id + "\n");
        File.CreateSymbolicLink(Path.Combine(_dir.Path, "dangling"), Path.Combine(_dir.Path, "nowhere"));
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", ".", "does-not-exist", "--follow-symlinks", "--format", "json");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains(id, r.Stdout);   // findings still reported
        Assert.Contains("keyguard: does-not-exist: no such file or directory", r.Stderr);
        Assert.Contains("keyguard: dangling: broken symbolic link", r.Stderr);
        // Without --follow-symlinks the link is skipped and counted, not an error.
        var skipped = KeyGuardProcess.Run(_dir.Path, null, "scan", ".", "--format", "json");
        Assert.Equal(1, skipped.ExitCode);
        Assert.Equal(1, Json(skipped.Stdout).GetProperty("stats").GetProperty("symlinksSkipped").GetInt32());
    }

    [Fact]
    public async Task Unreadable_files_and_folders_are_one_line_errors_with_exit_3_and_the_rest_is_scanned()
    {
        var id = _fake.KeyId();
        _dir.Write("ok.txt", id + "\n");
        var locked = _dir.Write("locked.txt", "AWS_SECRET_ACCESS_KEY=whatever\n");
        var closed = Path.Combine(_dir.Path, "closed");
        Directory.CreateDirectory(closed);
        File.SetUnixFileMode(locked, UnixFileMode.None);
        File.SetUnixFileMode(closed, UnixFileMode.None);
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0b111_101_101);
        try
        {
            // Root reads everything: drop to nobody so the permission checks are real.
            bool root = Environment.UserName == "root";
            var dll = KeyGuardProcess.DllPath;
            if (root)
            {
                // The build output may sit under a folder nobody cannot enter (CI clones anywhere): run a copy.
                var copy = _binCopy = Path.Combine(Path.GetDirectoryName(_dir.Path)!, Path.GetFileName(_dir.Path) + "-bin");
                foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
                {
                    var target = Path.Combine(copy, Path.GetRelativePath(AppContext.BaseDirectory, file));
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.Copy(file, target, true);
                }
                dll = Path.Combine(copy, "keyguard.dll");
            }
            var psi = new System.Diagnostics.ProcessStartInfo(root ? "setpriv" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir.Path };
            if (root) foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet" }) psi.ArgumentList.Add(a);
            foreach (var a in new[] { dll, "scan", ".", "--format", "json" }) psi.ArgumentList.Add(a);
            psi.Environment["HOME"] = Path.GetTempPath();
            psi.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
            using var p = System.Diagnostics.Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit(60_000);
            Assert.Equal(3, p.ExitCode);
            Assert.Contains(id, await stdout);
            Assert.Contains("keyguard: locked.txt: permission denied", stderr);
            Assert.Contains("keyguard: closed: permission denied", stderr);
            Assert.DoesNotContain("   at ", stderr);
        }
        finally
        {
            if (_binCopy != null) Directory.Delete(_binCopy, true);
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void Binary_files_are_skipped_and_counted_utf16_and_latin1_are_decoded()
    {
        var inBinary = _fake.KeyId(); var inUtf16 = _fake.KeyId(); var inLatin1 = _fake.KeyId(); var inBadUtf8 = _fake.KeyId();
        _dir.WriteBytes("image.bin", [0x89, 0x50, 0x4E, 0x47, 0, 0, .. Encoding.ASCII.GetBytes(inBinary)]);
        _dir.WriteBytes("win.config", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes($"<add key=\"AWSAccessKey\" value=\"{inUtf16}\" />\r\n")]);
        _dir.WriteBytes("latin1.txt", [.. Encoding.Latin1.GetBytes($"caf\u00e9 cl\u00e9: {inLatin1}\n")]);
        _dir.WriteBytes("broken.txt", [0xC3, 0x28, 0xFF, 0x20, .. Encoding.ASCII.GetBytes(inBadUtf8), 0x0A]);
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "--format", "json", "--verbose");
        var root = Json(r.Stdout);
        var ids = root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("keyId").GetString()).ToList();
        Assert.Contains(inUtf16, ids);
        Assert.Contains(inLatin1, ids);
        Assert.Contains(inBadUtf8, ids);
        Assert.DoesNotContain(inBinary, ids);
        Assert.Equal(1, root.GetProperty("stats").GetProperty("binarySkipped").GetInt32());
        var latin = root.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("keyId").GetString() == inLatin1);
        Assert.Equal(11, latin.GetProperty("column").GetInt32());
        Assert.Contains("skipped binary: image.bin", KeyGuardProcess.Run(_dir.Path, null, "scan", "--verbose").Stderr);
    }

    [Fact]
    public void Columns_count_characters_in_utf8_lines()
    {
        var id = _fake.KeyId();
        var line = $"clé = «ключ» → {id}";
        _dir.Write("i18n.txt", "naïve\n" + line + "\n");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "--format", "json");
        var f = Json(r.Stdout).GetProperty("findings")[0];
        Assert.Equal(2, f.GetProperty("line").GetInt32());
        Assert.Equal(line.IndexOf(id) + 1, f.GetProperty("column").GetInt32());
        Assert.Equal(line.IndexOf(id) + 21, f.GetProperty("endColumn").GetInt32());
    }

    [Fact]
    public void A_single_50_MB_line_and_a_secret_across_chunk_edges_are_found_with_exact_positions()
    {
        var id = _fake.KeyId();
        var (pairId, pairSecret) = (_fake.KeyId(), _fake.Secret());
        var sb = new StringBuilder(52 * 1024 * 1024);
        sb.Append("/* café € 🔑 */");   // multi-byte characters before the hit: columns count characters, not bytes
        while (sb.Length < 50 * 1024 * 1024) sb.Append("var a=function(b){return b*2};");
        int column = sb.Length + 1;
        sb.Append(id).Append(";\n");
        // Straddle the 1 MiB chunk edge of the next line's region with a pair.
        sb.Append(new string('x', 1024 * 1024 - 10)).Append($" aws_access_key_id={pairId} aws_secret_access_key={pairSecret}\n");
        _dir.Write("bundle.min.js", sb.ToString());
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "--format", "json");
        var findings = Json(r.Stdout).GetProperty("findings").EnumerateArray().ToList();
        var hit = findings.Single(f => f.GetProperty("keyId").GetString() == id && f.GetProperty("rule").GetString() == "aws-access-key-id");
        Assert.Equal(1, hit.GetProperty("line").GetInt32());
        Assert.Equal(column, hit.GetProperty("column").GetInt32());
        var secret = findings.Single(f => f.GetProperty("rule").GetString() == "aws-secret-access-key");
        Assert.Equal(2, secret.GetProperty("line").GetInt32());
        Assert.Equal(pairId, secret.GetProperty("keyId").GetString());
        Assert.Equal(3, findings.Count);
    }
}
