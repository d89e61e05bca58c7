using Xunit;

namespace KeyGuard.Tests.Git;

/// <summary>
/// Server-side push protection: `keyguard install --server` in a bare repository, then real `git push`es to it.
/// The hook runs inside git's quarantine, judges a new branch only by the commits the server lacks, and checks
/// annotated tag messages.
/// </summary>
public sealed class ServerPushProtectionTests
{
    private static (HookTestRepo Client, string Server) WithServer(params string[] installOptions)
    {
        var client = HookTestRepo.Create();
        var server = Path.Combine(client.Root, "server.git");
        client.Git("init", "-q", "--bare", server);
        var install = client.KeyguardIn(server, null, ["install", "--server", .. installOptions]);
        Assert.True(install.Code == 0, install.ToString());
        Assert.True(File.Exists(Path.Combine(server, "hooks", "pre-receive")));
        client.Git("remote", "add", "origin", server);
        return (client, server);
    }

    private static string ServerRef(HookTestRepo client, string server, string name)
    {
        var r = client.TryGit("--git-dir", server, "rev-parse", "-q", "--verify", name);
        return r.Code == 0 ? r.Out.Trim() : "";
    }

    [Fact]
    public void Clean_pushes_pass_and_a_push_with_a_key_is_rejected_inside_the_quarantine()
    {
        var (client, server) = WithServer();
        using var _ = client;
        client.Write("README.md", "demo\n");
        client.CommitAll("init");
        var clean = client.TryGit("push", "origin", "master");
        Assert.True(clean.Code == 0, clean.ToString());

        var key = FakeKey.New(71);
        client.Write("deploy/app.env", key.EnvFile);
        client.CommitAll("add deploy config");
        var rejected = client.TryGit("push", "origin", "master");

        Assert.True(rejected.Code != 0, rejected.ToString());
        Assert.Contains("deploy/app.env:1", rejected.Err);
        Assert.Contains("push blocked", rejected.Err);
        Assert.Contains("pre-receive hook declined", rejected.Err);
        Assert.DoesNotContain(key.Secret, rejected.Err + rejected.Out);
        Assert.NotEqual(client.Git("rev-parse", "HEAD").Trim(), ServerRef(client, server, "refs/heads/master"));
        // Nothing of the rejected push stays: git drops the quarantine.
        Assert.NotEqual(0, client.TryGit("--git-dir", server, "cat-file", "-e", client.Git("rev-parse", "HEAD").Trim()).Code);
    }

    [Fact]
    public void A_new_branch_is_judged_only_by_the_commits_the_server_does_not_have()
    {
        var (client, server) = WithServer();
        using var _ = client;
        var old = FakeKey.New(72);
        client.Write("legacy.env", old.EnvFile);
        client.CommitAll("legacy secret, already on the server");
        client.Environment["KEYGUARD_SKIP"] = "1";   // no client hooks here; the server has no KEYGUARD_SKIP
        client.Git("--git-dir", server, "config", "receive.denyCurrentBranch", "ignore");
        // Put the old history on the server past the hook, as an existing repository would have it.
        File.Move(Path.Combine(server, "hooks", "pre-receive"), Path.Combine(server, "hooks", "off"));
        client.Git("push", "-q", "origin", "master");
        File.Move(Path.Combine(server, "hooks", "off"), Path.Combine(server, "hooks", "pre-receive"));

        client.Git("checkout", "-q", "-b", "topic");
        client.Write("notes.txt", "clean\n");
        client.CommitAll("clean work");
        var accepted = client.TryGit("push", "origin", "topic");
        Assert.True(accepted.Code == 0, accepted.ToString());
        Assert.Equal(client.Git("rev-parse", "HEAD").Trim(), ServerRef(client, server, "refs/heads/topic"));

        var deleted = client.TryGit("push", "origin", "--delete", "topic");
        Assert.True(deleted.Code == 0, deleted.ToString());
        Assert.Equal("", ServerRef(client, server, "refs/heads/topic"));
    }

    [Fact]
    public void An_annotated_tag_whose_message_holds_a_key_is_rejected()
    {
        var (client, server) = WithServer();
        using var _ = client;
        client.Write("README.md", "demo\n");
        client.CommitAll("init");
        Assert.Equal(0, client.TryGit("push", "-q", "origin", "master").Code);
        client.Git("tag", "-a", "v1", "-m", "clean notes");
        Assert.Equal(0, client.TryGit("push", "-q", "origin", "v1").Code);

        var key = FakeKey.New(73);
        client.Git("tag", "-a", "v2", "-m", $"notes: aws_access_key_id={key.Id} aws_secret_access_key={key.Secret}");
        var rejected = client.TryGit("push", "origin", "v2");

        Assert.True(rejected.Code != 0, rejected.ToString());
        Assert.Contains("<tag message: v2>:1", rejected.Err);
        Assert.Equal("", ServerRef(client, server, "refs/tags/v2"));
    }

    /// <summary>A push the check cannot finish within the server's --timeout: 30,000 new commits against a 1 s budget.</summary>
    private static (HookTestRepo Client, string Server) WithLongPush(params string[] installOptions)
    {
        var (client, server) = WithServer(["--timeout", "1", .. installOptions]);
        FastImport.LinearHistory(client.Dir, "master", commits: 30_000);
        return (client, server);
    }

    [Fact]
    public void A_push_the_check_cannot_finish_in_time_is_rejected_by_default()
    {
        var (client, server) = WithLongPush();
        using var _ = client;

        var rejected = client.TryGit("push", "origin", "master");

        Assert.True(rejected.Code != 0, rejected.ToString());
        Assert.Contains("push rejected: the check did not finish within 1 s", rejected.Err);
        Assert.Contains("pre-receive hook declined", rejected.Err);
        Assert.DoesNotContain("   at ", rejected.Err);
        Assert.Equal("", ServerRef(client, server, "refs/heads/master"));
    }

    [Fact]
    public void With_on_timeout_accept_a_push_the_check_cannot_finish_in_time_is_accepted_with_a_warning()
    {
        var (client, server) = WithLongPush("--on-timeout", "accept");
        using var _ = client;

        var accepted = client.TryGit("push", "origin", "master");

        Assert.True(accepted.Code == 0, accepted.ToString());
        Assert.Contains("warning: the check did not finish within 1 s", accepted.Err);
        Assert.Equal(client.Git("rev-parse", "HEAD").Trim(), ServerRef(client, server, "refs/heads/master"));
    }

    [Fact]
    public void Uninstall_server_removes_only_the_pre_receive_hook()
    {
        var (client, server) = WithServer();
        using var _ = client;
        var run = client.KeyguardIn(server, null, "uninstall", "--server");
        Assert.True(run.Code == 0, run.ToString());
        Assert.False(File.Exists(Path.Combine(server, "hooks", "pre-receive")));
    }
}
