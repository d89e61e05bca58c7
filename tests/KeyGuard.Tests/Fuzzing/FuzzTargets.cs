using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using KeyGuard.Aws;
using KeyGuard.Compliance;
using KeyGuard.Config;
using KeyGuard.CredentialReport;
using KeyGuard.Detection;
using KeyGuard.Hooks;
using KeyGuard.Planning;
using KeyGuard.Sources.Git.History;
using KeyGuard.Sources.Git.Packs;
using KeyGuard.Sources.Git.Staged;
using KeyGuard.Suppression;
using KeyGuard.Tests.Audit;
using LibGit2Sharp;

namespace KeyGuard.Tests.Fuzzing;

/// <summary>
/// Every parser KeyGuard runs on bytes it did not write, as a fuzz target. Seeds are made at run time from valid
/// inputs (nothing credential-shaped is checked in); file-reading parsers get their input through a scratch folder.
/// </summary>
internal static class FuzzTargets
{
    public static readonly string[] Names =
        ["rule-file", "config", "baseline", "credential-report", "password-policy", "findings", "pack-index", "pack-ofs",
         "pack-ref", "pack-delta", "diff-tree", "diff-index", "pre-push", "iam-error"];

    public static FuzzTarget Create(string name, string scratch) => name switch
    {
        // A rule's regex is compiled to IL (RegexOptions.Compiled): about 8 KB per pattern character, bounded by the file.
        "rule-file" => new(name, RuleSeeds, input => RuleFileParser.Parse(Text(input), "fuzz.rules"), e => e is InvalidInputException, RuleTokens,
            ShortRunInputs: 150, AllocationPerInputByte: 16 << 10),
        "config" => FileTarget(name, scratch, ".keyguard.json", ConfigSeeds, path => KeyGuardConfig.Load(path), e => e is InvalidInputException, JsonTokens),
        "baseline" => FileTarget(name, scratch, "baseline.json", BaselineSeeds, path => Baseline.Load(path), e => e is InvalidInputException, JsonTokens),
        "credential-report" => new(name, CredentialReportSeeds, input => CredentialReportParser.Parse(input, ReportCsv.Now),
            e => e is CredentialReportFormatException, CsvTokens),
        "password-policy" => new(name, PasswordPolicySeeds, input => PasswordPolicyJson.Parse(Text(input), "policy.json"), e => e is InvalidInputException, JsonTokens),
        "findings" => new(name, FindingsSeeds, input => LeakReader.Parse(input, "findings.json", _ => null), e => e is InvalidInputException, JsonTokens),
        "pack-index" => PackTarget(name, scratch, mutateIndex: true, refDeltas: false),
        "pack-ofs" => PackTarget(name, scratch, mutateIndex: false, refDeltas: false),
        "pack-ref" => PackTarget(name, scratch, mutateIndex: false, refDeltas: true),
        "pack-delta" => new(name, DeltaSeeds, RunDelta, e => e is InvalidDataException),
        "diff-tree" => new(name, () => [FuzzGitFixture.Instance.DiffTreeOutput], RunDiffTree, _ => false, DiffTokens),
        "diff-index" => new(name, () => [FuzzGitFixture.Instance.DiffIndexOutput], input => GitCliDiffIndex.Parse(Text(input)), _ => false, DiffTokens),
        "pre-push" => new(name, PrePushSeeds, input => PushedRef.ReadAll(new StringReader(Text(input))), e => e is InvalidInputException, PrePushTokens),
        // Never throws: a body that is not an IAM error still becomes an IamException to report.
        "iam-error" => new(name, IamErrorSeeds, input => IamErrorParser.Parse("iam:ListUsers", 403, Text(input)), _ => false, XmlTokens),
        _ => throw new ArgumentException($"no fuzz target '{name}'"),
    };

    /// <summary>Bytes as the callers decode them: UTF-8, invalid sequences replaced (File.ReadAllText, StreamReader).</summary>
    private static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    private static FuzzTarget FileTarget(string name, string scratch, string fileName, Func<IReadOnlyList<byte[]>> seeds,
        Action<string> load, Func<Exception, bool> expected, IReadOnlyList<string> tokens)
    {
        var dir = Directory.CreateDirectory(Path.Combine(scratch, name)).FullName;
        var path = Path.Combine(dir, fileName);
        return new(name, seeds, input => { File.WriteAllBytes(path, input); load(path); }, expected, tokens, ShortRunInputs: 200);
    }

    // ---- rule files ----

    private static readonly string[] RuleTokens =
        ["[", "]", "\n[x]\n", " = ", "=", "#", "regex", "regex = (?<secret>a)", "keywords", "pair-keywords", "reach", "min-run", "max-window",
         "lines-before", "lines-after", "entropy", "min-length", "check", "severity", "enabled", "(?<secret>", "(?", "\\", "{99999}",
         "(?<!", "[^", "\\p{", "1e308", "-0", "NaN", "Infinity", "\r\n", "\t"];

    private static IReadOnlyList<byte[]> RuleSeeds()
    {
        var seeds = new List<byte[]>();
        var asm = typeof(RuleFileParser).Assembly;
        foreach (var resource in asm.GetManifestResourceNames().Where(n => n.EndsWith(".rules", StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(asm.GetManifestResourceStream(resource)!);
            // One rule a seed: each input compiles every regex it holds, so small seeds keep the run fast.
            var blocks = ("\n" + reader.ReadToEnd()).Split("\n[").Skip(1).Select(b => "[" + b);
            seeds.AddRange(blocks.Select(Encoding.UTF8.GetBytes));
        }
        seeds.Add(Encoding.UTF8.GetBytes(
            "# every key\n[custom.rule_1]\ntitle = Custom\ndescription = all keys set\nregex = token=(?<secret>[a-z0-9]{20})\nkeywords = token TOKEN\n" +
            "pair-keywords = user\nreach = 40\nmin-run = 20\ncheck = entropy\nentropy = 3.5\nhex-entropy = 2.5\nmin-length = 20\nseverity = low\n" +
            "enabled = false\nlines-before = 2\nlines-after = 3\nmax-window = 1024\n\n[second]\nregex = b+\r\n"));
        return seeds;
    }

    // ---- JSON: config, baseline, password policy, findings ----

    private static readonly string[] JsonTokens =
        ["{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "\"\\u0000\"", "\"\\ud800\"", "\"\\\"", "1e400", "-1", "2147483648",
         "1.5", "/*", "*/", "//", "\"version\"", "\"entries\"", "\"findings\"", "\"keyId\"", "\"line\"", "\"path\"", "\"patterns\"",
         "\"baseline\"", "\"allowlist\"", "\"PasswordPolicy\"", "\"MinimumPasswordLength\"", "\"a\\u0000b\"", "\"\"", "[]", "{}"];

    private static IReadOnlyList<byte[]> ConfigSeeds() =>
    [
        Encoding.UTF8.GetBytes("""
        {
          // comments and trailing commas are allowed
          "patterns": ["rules/extra.rules", "/abs/other.rules"],
          "enableRules": ["generic-secret"],
          "disableRules": ["aws-session-token"],
          "include": ["src/**"],
          "exclude": ["**/*.min.js", "vendor/"],
          "allowlist": { "secrets": ["AKIAIOSFODNN7EXAMPLE"], "lines": ["example"], "paths": ["docs/**"], },
          "baseline": "keyguard-baseline.json",
          "gitSecretsConfig": true,
        }
        """),
        "{}"u8.ToArray(),
        """{"allowlist":{},"gitSecretsConfig":false,"baseline":"../b.json"}"""u8.ToArray(),
    ];

    private static IReadOnlyList<byte[]> BaselineSeeds()
    {
        string Fingerprint(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));
        var entries = new[]
        {
            new BaselineEntry(Fingerprint("a"), "aws-access-key-id", "AKIAIOSFODNN7EXAMPLE", "src/app.config"),
            new BaselineEntry(Fingerprint("b"), "aws-secret-access-key", null, "deploy/é.env"),
            new BaselineEntry(Fingerprint("c"), "generic-secret", null, ""),
        };
        using var dir = new Support.TempDir();
        var path = Path.Combine(dir.Path, "baseline.json");
        new Baseline(entries).Save(path);
        var full = File.ReadAllBytes(path);
        new Baseline([]).Save(path);
        return [full, File.ReadAllBytes(path)];
    }

    private static IReadOnlyList<byte[]> PasswordPolicySeeds() =>
    [
        """{"PasswordPolicy":{"MinimumPasswordLength":14,"RequireSymbols":true,"RequireNumbers":true,"RequireUppercaseCharacters":true,"RequireLowercaseCharacters":true,"AllowUsersToChangePassword":true,"ExpirePasswords":true,"MaxPasswordAge":90,"PasswordReusePrevention":24,"HardExpiry":false}}"""u8.ToArray(),
        """{"minimumpasswordlength":8,"RequireSymbols":false}"""u8.ToArray(),
        """{"PasswordPolicy":null}"""u8.ToArray(),
    ];

    private static IReadOnlyList<byte[]> FindingsSeeds()
    {
        var fake = new Support.FakeCredentials(13);
        string key1 = fake.KeyId(), key2 = fake.KeyId("ASIA");
        var report = $$"""
        {
          "version": 1,
          "tool": { "name": "keyguard", "version": "1.0.0" },
          "findings": [
            { "rule": "aws-access-key-id", "title": "AWS access key ID", "severity": "high", "path": "src/app.config", "line": 12, "column": 5,
              "keyId": "{{key1}}", "account": "123456789012", "fingerprint": "ab12", "source": "file" },
            { "rule": "aws-secret-access-key", "path": "src/app.config", "line": 13, "keyId": "{{key1}}" },
            { "rule": "aws-access-key-id", "path": "deploy.sh", "line": 3, "commit": "0123456789abcdef0123456789abcdef01234567",
              "date": "2024-03-01T10:00:00+01:00", "keyId": "{{key2}}", "introduced": { "commit": "00aa", "date": "2023-12-31T23:59:59Z" } },
            { "rule": "aws-access-key-id", "path": "docs/example.md", "line": 1, "keyId": "AKIAIOSFODNN7EXAMPLE", "date": "2020-01-01" },
            { "rule": "generic-secret", "path": "src/app.config", "line": 40 }
          ],
          "errors": [],
          "stats": { "findings": 5, "errors": 0, "filesScanned": 3, "bytesScanned": 1000 }
        }
        """;
        return [Encoding.UTF8.GetBytes(report), """{"version":1,"findings":[]}"""u8.ToArray()];
    }

    // ---- credential report CSV ----

    private static readonly string[] CsvTokens =
        [",", "\"", "\"\"", "\r\n", "\n", "\r", "N/A", "true", "FALSE", "not_supported", "no_information", "9999-12-31T23:59:59+14:00",
         "0001-01-01T00:00:00-14:00", "2026-02-30T00:00:00+00:00", "user", "arn", "access_key_1_last_used_date", ",,,,,,,,,,", "\uFEFF"];

    private static IReadOnlyList<byte[]> CredentialReportSeeds()
    {
        var csv = new ReportCsv()
            .Root()
            .User("alice", r => { ReportCsv.ConsoleUser(r); ReportCsv.Key(r, 1, 100, 3); ReportCsv.Key(r, 2, 30, null); })
            .User("bob", r => { ReportCsv.ConsoleUser(r, mfa: false, lastUsed: "no_information"); r["cert_1_active"] = "true"; r["cert_1_last_rotated"] = ReportCsv.DaysAgo(5); });
        var quoted = csv.ToCsv().Replace("arn:aws:iam::111122223333:user/bob", "\"arn:aws:iam::111122223333:user/b\"\"o,b\"");
        return
        [
            Encoding.UTF8.GetBytes(csv.ToCsv()),
            Encoding.UTF8.GetBytes(csv.ToCsv(oldFormat: true, newline: "\r\n")),
            [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(quoted)],
        ];
    }

    // ---- git packs ----

    private static FuzzTarget PackTarget(string name, string scratch, bool mutateIndex, bool refDeltas)
    {
        var dir = Directory.CreateDirectory(Path.Combine(scratch, name)).FullName;
        string packPath = Path.Combine(dir, "pack-fuzz.pack"), idxPath = Path.ChangeExtension(packPath, ".idx");
        bool prepared = false;
        IReadOnlyList<byte[]> Seeds()
        {
            var f = FuzzGitFixture.Instance;
            var (idx, pack) = refDeltas ? (f.RefIdx, f.RefPack) : (f.OfsIdx, f.OfsPack);
            // The half not under fuzz stays the real one, so the mutated half is read against valid data.
            if (!prepared) { File.WriteAllBytes(mutateIndex ? packPath : idxPath, mutateIndex ? pack : idx); prepared = true; }
            return [mutateIndex ? idx : pack];
        }
        return new(name, Seeds, input =>
        {
            File.WriteAllBytes(mutateIndex ? idxPath : packPath, input);
            PackReading.ReadAll(packPath);
        }, e => e is InvalidDataException or IOException, ShortRunInputs: 150);
    }

    private static IReadOnlyList<byte[]> DeltaSeeds() => FuzzGitFixture.Instance.Deltas;

    /// <summary>A delta input: base length (2 bytes, little-endian), the base, then the delta.</summary>
    internal static byte[] DeltaInput(byte[] baseBytes, byte[] delta) =>
        [(byte)baseBytes.Length, (byte)(baseBytes.Length >> 8), .. baseBytes, .. delta];

    private static void RunDelta(byte[] input)
    {
        // The framing is the harness's, not the parser's: a damaged length just moves the split.
        int baseLength = input.Length < 2 ? 0 : Math.Min(input.Length - 2, input[0] | input[1] << 8);
        var rest = input.AsSpan(Math.Min(2, input.Length));
        var baseBytes = rest[..baseLength];
        var delta = rest[baseLength..];
        var (_, targetSize) = PackDelta.Sizes(delta);
        if (targetSize > PackReading.MaxObjectBytes) return;   // the caller's size limit, as PackBlobScan's
        PackDelta.Apply(baseBytes, delta, new byte[targetSize], []);
    }

    // ---- git command output ----

    private static readonly string[] DiffTokens =
        ["\0", ":", " ", "\n", "100644 ", "000000 ", "120000", "160000", " M", " A", " D", "R100", "C075", "0000000000000000000000000000000000000000",
         "\0\0", "-0000", "+9999", "99999999999999999999 +0000"];

    private static void RunDiffTree(byte[] input)
    {
        var commits = FuzzGitFixture.Instance.Commits;
        using var diffs = GitTreeDiffs.ForOutput(new MemoryStream(input, writable: false), commits);
        for (int k = 0; k < commits.Count; k++)
            if (diffs.Next(commits[k], k) == null) break;
    }

    private static readonly string[] PrePushTokens =
        [" ", "\n", "\r\n", "\t", "0000000000000000000000000000000000000000", "refs/heads/x", "(delete)", "HEAD"];

    private static IReadOnlyList<byte[]> PrePushSeeds()
    {
        var random = new FuzzRandom(7);
        string Sha(int n) => string.Concat(Enumerable.Range(0, n).Select(_ => "0123456789abcdef"[random.Next(16)]));
        string zero = new('0', 40);
        return
        [
            Encoding.UTF8.GetBytes($"refs/heads/main {Sha(40)} refs/heads/main {Sha(40)}\nrefs/heads/new {Sha(40)} refs/heads/new {zero}\n"),
            Encoding.UTF8.GetBytes($"(delete) {zero} refs/heads/old {Sha(40)}\n\nrefs/tags/v1 {Sha(64)} refs/tags/v1 {new string('0', 64)}\r\n"),
        ];
    }

    // ---- IAM error bodies ----

    private static readonly string[] XmlTokens =
        ["<", ">", "</", "/>", "<![CDATA[", "]]>", "<!DOCTYPE r [", "<!ENTITY a \"aaaaaaaa\">", "&a;", "&#0;", "&#xD800;", "&amp;", "<Error>",
         "</Error>", "<Code>", "</Code>", "<Message>", "xmlns=\"urn:x\"", "<?xml version=\"1.0\"?>", "<!--", "-->", "<?pi x?>"];

    private static IReadOnlyList<byte[]> IamErrorSeeds() =>
    [
        """
        <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
          <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:ListUsers</Message></Error>
          <RequestId>4c1b2f0e-1111-2222-3333-444455556666</RequestId>
        </ErrorResponse>
        """u8.ToArray(),
        """<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message></Error></Errors><RequestID>r-1</RequestID></Response>"""u8.ToArray(),
        "<html><body><h1>502 Bad Gateway</h1></body></html>"u8.ToArray(),
        // A proxy or a hostile endpoint may send a DTD: entity expansion must stay bounded.
        """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><ErrorResponse><Error><Code>&b;</Code></Error></ErrorResponse>"""u8.ToArray(),
        ""u8.ToArray(),
    ];
}

/// <summary>Reads every entry of a pack the way <see cref="PackBlobScan"/> does: headers, inflation, delta rebuilds.</summary>
internal static class PackReading
{
    /// <summary>The caller's size limit on one object (PackBlobScan's is larger; small keeps the fuzzer fast).</summary>
    public const int MaxObjectBytes = 1 << 20;

    public static void ReadAll(string packPath)
    {
        using var pack = PackFile.Open(packPath);
        if (pack == null) return;
        var index = pack.Index;
        for (int k = 0; k < index.Count; k++) index.Find(index.IdAt(k));
        var content = new byte[]?[index.Count];
        for (int k = 0; k < index.Count; k++)
        {
            var e = pack.Entry(k);
            if (e.Size > MaxObjectBytes) continue;
            var data = new byte[e.Size];
            pack.Inflate(e, data);
            if (!e.IsDelta) { content[k] = data; continue; }
            var (_, targetSize) = PackDelta.Sizes(data);
            if (e.BasePosition < 0 || content[e.BasePosition] is not { } baseBytes || targetSize > MaxObjectBytes) continue;
            var target = new byte[targetSize];
            PackDelta.Apply(baseBytes, data, target, []);
            content[k] = target;
        }
    }
}
