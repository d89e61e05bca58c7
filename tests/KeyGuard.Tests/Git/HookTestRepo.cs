using System.Diagnostics;
using System.Text;
using KeyGuard.Aws;

namespace KeyGuard.Tests.Git;

/// <summary>A fake AWS key pair made at run time: nothing credential-shaped is committed to this repository.</summary>
internal sealed record FakeKey(string Id, string Secret)
{
    public static FakeKey New(int seed)
    {
        var random = new Random(seed);
        var id = AccessKeyId.Generate("AKIA", "123456789012", random);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
        string secret;
        do secret = new string(Enumerable.Range(0, 40).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        while (!secret.Any(char.IsAsciiLetterUpper) || !secret.Any(char.IsAsciiLetterLower) || !secret.Any(char.IsAsciiDigit));
        return new FakeKey(id, secret);
    }

    /// <summary>An env-file snippet with both halves: every rule fires on it.</summary>
    public string EnvFile => $"AWS_ACCESS_KEY_ID={Id}\nAWS_SECRET_ACCESS_KEY={Secret}\n";
}

internal sealed record Run(int Code, string Out, string Err)
{
    public override string ToString() => $"exit {Code}\nstdout:\n{Out}\nstderr:\n{Err}";
}

/// <summary>
/// A real repository in a temp dir, with its own HOME (no user or system git config leaks in), driven by the real
/// git CLI and the real keyguard CLI (<c>dotnet keyguard.dll</c> from the test output dir).
/// </summary>
internal sealed class HookTestRepo : IDisposable
{
    public static readonly string KeyguardDll = Path.Combine(AppContext.BaseDirectory, "keyguard.dll");
    /// <summary>Set KEYGUARD_TEST_BIN to a NativeAOT build to run every hook test against it instead of keyguard.dll.</summary>
    private static readonly string? NativeBin = System.Environment.GetEnvironmentVariable("KEYGUARD_TEST_BIN") is { Length: > 0 } bin ? Path.GetFullPath(bin) : null;

    /// <summary>Extra environment for every process this repository runs (git, and keyguard through hooks).</summary>
    public Dictionary<string, string> Environment { get; } = new();

    public string Root { get; }
    public string Home { get; }
    public string Dir { get; }

    private HookTestRepo(string root, string dir)
    {
        Root = root;
        Home = Path.Combine(root, "home");
        Dir = dir;
    }

    public static HookTestRepo Create(string name = "repo")
    {
        var root = Path.Combine(Path.GetTempPath(), "kg-hooks-" + Guid.NewGuid().ToString("N")[..10]);
        var repo = new HookTestRepo(root, Path.Combine(root, name));
        Directory.CreateDirectory(repo.Home);
        LibGit2Sharp.Repository.Init(repo.Dir);
        // libgit2 runs in this process and reads the real user's init.defaultBranch: pin the branch name.
        repo.Git("symbolic-ref", "HEAD", "refs/heads/master");
        repo.Git("config", "user.name", "Test User");
        repo.Git("config", "user.email", "test@example.com");
        repo.Git("config", "commit.gpgsign", "false");
        return repo;
    }

    public void Write(string path, string content)
    {
        var full = Path.Combine(Dir, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    public void WriteBytes(string path, byte[] content) => File.WriteAllBytes(Path.Combine(Dir, path), content);

    /// <summary>Commits everything without hooks, as history that existed before KeyGuard.</summary>
    public void CommitAll(string message)
    {
        Git("add", "-A");
        Git("commit", "-q", "--no-verify", "-m", message);
    }

    public string Git(params string[] args)
    {
        var r = TryGit(args);
        if (r.Code != 0) throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {r}");
        return r.Out;
    }

    public Run TryGit(params string[] args) => Exec("git", args, null, Dir);

    public Run Keyguard(params string[] args) => KeyguardIn(Dir, null, args);

    public Run KeyguardWithInput(string stdin, params string[] args) => KeyguardIn(Dir, stdin, args);

    public Run KeyguardIn(string dir, string? stdin, params string[] args) =>
        NativeBin != null ? Exec(NativeBin, args, stdin, dir) : Exec("dotnet", [KeyguardDll, .. args], stdin, dir);

    private Run Exec(string file, string[] args, string? stdin, string dir)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var v in new[] { "GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_CONFIG_GLOBAL", "XDG_CONFIG_HOME", "KEYGUARD_SKIP" })
            psi.Environment.Remove(v);
        psi.Environment["HOME"] = Home;
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["KEYGUARD_BIN"] = NativeBin ?? KeyguardDll;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("KEYGUARD_DIFF_INDEX");
        foreach (var (k, v) in Environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        if (stdin != null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)} hung"); }
        return new Run(p.ExitCode, output, err.Result);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
