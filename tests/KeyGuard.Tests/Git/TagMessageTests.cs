using System.Text.Json;
using Xunit;

namespace KeyGuard.Tests.Git;

/// <summary>
/// Annotated tag messages (release notes) are content: a history sweep reports a key in one, and the pre-push hook
/// blocks a real `git push` of such a tag while a clean tag goes through.
/// </summary>
public sealed class TagMessageTests
{
    [Fact]
    public void History_sweep_reports_a_key_in_an_annotated_tag_message()
    {
        using var repo = HookTestRepo.Create();
        repo.Write("README.md", "demo\n");
        repo.CommitAll("init");
        var key = FakeKey.New(61);
        repo.Git("tag", "-a", "v1", "-m", $"release notes\naws_access_key_id={key.Id} aws_secret_access_key={key.Secret}\n");
        repo.Git("tag", "-a", "v1-signed-off", "-m", "tag of a tag", "v1");   // a tag of a tag: v1's message once
        repo.Git("tag", "light");                                           // lightweight: no message

        var run = repo.Keyguard("scan", "--history", "-f", "json", "--no-progress", ".");

        Assert.True(run.Code == 1, run.ToString());
        using var doc = JsonDocument.Parse(run.Out);
        var findings = doc.RootElement.GetProperty("findings").EnumerateArray().ToList();
        var id = Assert.Single(findings, f => f.GetProperty("rule").GetString() == "aws-access-key-id");
        Assert.Equal(key.Id, id.GetProperty("keyId").GetString());
        Assert.Equal("<tag message: v1>", id.GetProperty("path").GetString());
        Assert.Equal("tag-message", id.GetProperty("source").GetString());
        Assert.Equal(2, id.GetProperty("line").GetInt32());
        Assert.Equal(repo.Git("rev-parse", "HEAD").Trim(), id.GetProperty("commit").GetString());
        Assert.Single(findings, f => f.GetProperty("rule").GetString() == "aws-secret-access-key");
        Assert.DoesNotContain(key.Secret, run.Out);

        // A range names commits, not tags: the tag is not in it.
        var range = repo.Keyguard("scan", "--range", "HEAD", "--no-progress", ".");
        Assert.True(range.Code == 0, range.ToString());
    }

    [Fact]
    public void Pre_push_blocks_a_real_push_of_a_tag_whose_message_holds_a_key()
    {
        using var repo = HookTestRepo.Create();
        repo.Write("README.md", "demo\n");
        repo.CommitAll("init");
        var remote = Path.Combine(repo.Root, "remote.git");
        repo.Git("init", "-q", "--bare", remote);
        repo.Git("remote", "add", "origin", remote);
        Assert.Equal(0, repo.Keyguard("install").Code);
        Assert.Equal(0, repo.TryGit("push", "-q", "origin", "master").Code);

        repo.Git("tag", "-a", "v1", "-m", "clean release notes");
        var clean = repo.TryGit("push", "origin", "v1");
        Assert.True(clean.Code == 0, clean.ToString());

        var key = FakeKey.New(62);
        repo.Git("tag", "-a", "v2", "-m", $"release notes: aws_access_key_id={key.Id} aws_secret_access_key={key.Secret}");
        var blocked = repo.TryGit("push", "origin", "v2");

        Assert.True(blocked.Code != 0, blocked.ToString());
        Assert.Contains("<tag message: v2>:1", blocked.Err);
        Assert.Contains("push blocked", blocked.Err);
        Assert.DoesNotContain(key.Secret, blocked.Err + blocked.Out);
        Assert.NotEqual(0, repo.TryGit("--git-dir", remote, "rev-parse", "-q", "--verify", "refs/tags/v2").Code);
    }
}
