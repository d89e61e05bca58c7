using Xunit;
using KeyGuard.Hooks;

namespace KeyGuard.Tests.Git;

/// <summary>A team's git-secrets setup keeps working: patterns, providers, allowed patterns, .gitallowed.</summary>
public sealed class HookGitSecretsTests
{
    [Theory]
    [InlineData("token-[[:digit:]]{4}", "token-[0-9]{4}")]
    [InlineData("[[:alnum:]_]+", "[a-zA-Z0-9_]+")]
    [InlineData(@"[A-Za-z0-9/\+=]{40}", @"[A-Za-z0-9/\\+=]{40}")]
    [InlineData(@"\<word\>", @"\bword\b")]
    [InlineData("[]x]", @"[\]x]")]
    public void PosixClassesTranslate(string ere, string expected) => Assert.Equal(expected, PosixRegex.ToDotNet(ere));

    [Fact]
    public void WholeWord_MimicsGrepW()
    {
        var rx = new System.Text.RegularExpressions.Regex(PosixRegex.ToDotNet("corp-[[:digit:]]{4}", wholeWord: true));
        Assert.Matches(rx, "key = corp-1234;");
        Assert.DoesNotMatch(rx, "xcorp-1234");
        Assert.DoesNotMatch(rx, "corp-12345");
    }

    [Fact]
    public void PatternsProvidersAndAllowed_AreHonoured_InHooksAndScan()
    {
        using var repo = HookTestRepo.Create();
        repo.Git("config", "--add", "secrets.patterns", "corp-token-[[:digit:]]{6}");
        repo.Git("config", "--add", "secrets.providers", "echo 'legacy-[[:alpha:]]+-pass'");
        repo.Git("config", "--global", "--add", GitSecretsConfig.TrustProvidersKey, repo.Dir);   // a repository's own provider runs only when trusted
        repo.Write("a.cfg", "t = corp-token-123456\n");
        repo.Git("add", "-A");
        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains("a.cfg:1", run.Err);
        Assert.Contains("git-secrets-1", run.Err);

        var off = repo.Keyguard("hook", "pre-commit", "--no-git-secrets-config");
        Assert.True(off.Code == 0, off.ToString());
        repo.Write(".keyguard.json", "{ \"gitSecretsConfig\": false }\n");
        Assert.Equal(0, repo.Keyguard("hook", "pre-commit").Code);
        File.Delete(Path.Combine(repo.Dir, ".keyguard.json"));

        repo.Write("b.cfg", "p = legacy-abc-pass\n");
        repo.Git("add", "-A");
        var provider = repo.Keyguard("hook", "pre-commit");
        Assert.Contains("b.cfg:1", provider.Err);

        // secrets.allowed (matched like git-secrets: against path:line:text) and .gitallowed.
        repo.Git("config", "--add", "secrets.allowed", "^a\\.cfg:");
        repo.Write(".gitallowed", "# fixtures\nlegacy-abc-pass\n");
        repo.Git("add", "-A");
        var allowed = repo.Keyguard("hook", "pre-commit");
        Assert.True(allowed.Code == 0, allowed.ToString());

        // keyguard scan in the repository applies the same config.
        repo.Write("c.cfg", "x corp-token-654321\n");
        var scan = repo.Keyguard("scan", "c.cfg", "--no-progress");
        Assert.True(scan.Code == 1, scan.ToString());
        Assert.Contains("git-secrets-1", scan.Out);
        Assert.Equal(0, repo.Keyguard("scan", "c.cfg", "--no-progress", "--no-git-secrets-config").Code);
    }

    [Fact]
    public void ProhibitedPatterns_AreNotFilteredAsPlaceholders_AsGitSecretsBlocksThem()
    {
        using var repo = HookTestRepo.Create();
        repo.Git("config", "--add", "secrets.patterns", "password=[A-Za-z0-9]+");
        // A value KeyGuard's own rules would call a placeholder (a letter sequence): git-secrets blocks it all the same.
        repo.Write("app.ini", "password=abcdefghijklmnopqrstuvwxyz123\n");
        repo.Git("add", "-A");
        var hook = repo.Keyguard("hook", "pre-commit");
        Assert.True(hook.Code == 1, hook.ToString());
        Assert.Contains("app.ini:1  git-secrets-1", hook.Err);
        var scan = repo.Keyguard("scan", "app.ini", "--no-progress");
        Assert.True(scan.Code == 1, scan.ToString());
        Assert.Contains("git-secrets-1", scan.Out);
    }

    [Fact]
    public void BadPatternOrFailingProvider_IsAWarning_NotABlockedCommit()
    {
        using var repo = HookTestRepo.Create();
        repo.Git("config", "--add", "secrets.patterns", "(unclosed");
        repo.Git("config", "--add", "secrets.providers", "exit 4");
        repo.Git("config", "--global", "--add", GitSecretsConfig.TrustProvidersKey, repo.Dir);
        repo.Write("a.txt", "fine\n");
        repo.Git("add", "-A");
        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains("warning: git config secrets.patterns: skipped pattern '(unclosed'", run.Err);
        Assert.Contains("warning: secrets.providers: 'exit 4' exited 4", run.Err);
    }

    [Fact]
    public void RegisterAwsPatterns_AreReplacedByKeyGuardRules_AwsProviderReadsCredentials()
    {
        using var repo = HookTestRepo.Create();
        var key = FakeKey.New(50);
        foreach (var p in GitSecretsConfig.RegisterAwsPatterns) repo.Git("config", "--add", "secrets.patterns", p);
        repo.Git("config", "--add", "secrets.providers", "git secrets --aws-provider");
        Directory.CreateDirectory(Path.Combine(repo.Home, ".aws"));
        File.WriteAllText(Path.Combine(repo.Home, ".aws", "credentials"), $"[default]\naws_access_key_id = {key.Id}\naws_secret_access_key = {key.Secret}\n");

        // The bare secret, with no name and no key ID near it: only the provider's literal pattern finds it.
        repo.Write("dump.txt", $"{key.Secret}\n");
        repo.Git("add", "-A");
        var run = repo.Keyguard("hook", "pre-commit");
        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains("dump.txt:1  git-secrets-", run.Err);
        Assert.DoesNotContain(key.Secret, run.Err);
        // Provider patterns are the secrets themselves: no report may carry them, not even as rule metadata.
        var sarif = repo.Keyguard("scan", "dump.txt", "--format", "sarif", "--no-progress");
        Assert.True(sarif.Code == 1, sarif.ToString());
        Assert.Contains("git-secrets-", sarif.Out);
        Assert.DoesNotContain(Strings(System.Text.Json.JsonDocument.Parse(sarif.Out).RootElement), v => v.Contains(key.Secret) || v.Contains(System.Text.RegularExpressions.Regex.Escape(key.Secret)));
        // The account-ID pattern of --register-aws is not applied: account IDs are not secrets.
        repo.Git("reset", "-q");
        repo.Write("dump.txt", "aws_account_id = 1234-5678-9012\n");
        repo.Git("add", "-A");
        Assert.Equal(0, repo.Keyguard("hook", "pre-commit").Code);
    }

    /// <summary>Every string value in a JSON document, unescaped.</summary>
    private static IEnumerable<string> Strings(System.Text.Json.JsonElement e) => e.ValueKind switch
    {
        System.Text.Json.JsonValueKind.String => [e.GetString()!],
        System.Text.Json.JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value)),
        System.Text.Json.JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
        _ => [],
    };
}
