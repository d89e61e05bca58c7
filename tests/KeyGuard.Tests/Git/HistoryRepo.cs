using System.Diagnostics;
using System.Text;
using KeyGuard.Aws;
using KeyGuard.Scanning;
using KeyGuard.Sources.Git.History;

namespace KeyGuard.Tests.Git;

/// <summary>
/// A real git repository in a temp folder, driven by the git CLI with an isolated config (no system config, HOME in
/// the temp folder) and increasing commit dates, plus fake credentials generated at run time.
/// </summary>
internal sealed class HistoryRepo : IDisposable
{
    private static int _seed = 7;
    private readonly Random _random = new(Interlocked.Increment(ref _seed));
    private DateTimeOffset _clock = new(2024, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public string Root { get; }
    public string Dir { get; }
    public string Home { get; }

    public HistoryRepo(bool init = true)
    {
        Root = Directory.CreateTempSubdirectory("kg-history-").FullName;
        Home = Path.Combine(Root, "home");
        Dir = Path.Combine(Root, "repo");
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Dir);
        if (init)
        {
            Git("init -q -b main");
            Git("config user.name Tester");
            Git("config user.email tester@example.com");
            Git("config commit.gpgsign false");
        }
    }

    /// <summary>A fresh access key ID (never a literal in the source).</summary>
    public string NewKeyId() => AccessKeyId.Generate("AKIA", "123456789012", _random);

    public string NewSecret()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
        while (true)
        {
            var s = new string(Enumerable.Range(0, 40).Select(_ => alphabet[_random.Next(alphabet.Length)]).ToArray());
            if (s.Any(char.IsUpper) && s.Any(char.IsLower) && s.Any(char.IsDigit)) return s;
        }
    }

    public static string KeyLine(string keyId) => $"aws_access_key_id = {keyId}\n";

    public void Write(string path, string content)
    {
        var full = Path.Combine(Dir, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    /// <summary>Stages everything and commits; returns the new commit's sha.</summary>
    public string Commit(string message = "change")
    {
        Git("add -A");
        Git($"commit -q --allow-empty -m \"{message}\"");
        return Head();
    }

    /// <summary>Rewrites models/big.txt from <paramref name="text"/> and commits.</summary>
    public string Commit2(Func<string> text, string path = "models/big.txt")
    {
        Write(path, text());
        return Commit("edit " + path);
    }

    public string Head(string rev = "HEAD") => Git($"rev-parse {rev}").Trim();

    public string Git(string args, string? workDir = null) => RunGit(args, workDir ?? Dir);

    public string RunGit(string args, string workDir)
    {
        _clock = _clock.AddMinutes(1);
        var psi = new ProcessStartInfo("git", args)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Isolate(psi.Environment);
        var date = _clock.ToString("yyyy-MM-ddTHH:mm:sszzz");
        psi.Environment["GIT_AUTHOR_DATE"] = date;
        psi.Environment["GIT_COMMITTER_DATE"] = date;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"git {args}: exit {p.ExitCode}: {stderr}");
        return stdout.Result;
    }

    public void Isolate(IDictionary<string, string?> env)
    {
        env["GIT_CONFIG_NOSYSTEM"] = "1";
        env["HOME"] = Home;
        env["XDG_CONFIG_HOME"] = Path.Combine(Home, ".config");
        env.Remove("GIT_DIR");
        env.Remove("GIT_WORK_TREE");
    }

    /// <summary>Runs the sweep through the library the way the CLI does (config, engine, allowlist, sort).</summary>
    public (ScanResult Result, HistorySweepResult Sweep) Sweep(HistoryOptions? options = null, string? path = null)
    {
        options ??= new HistoryOptions();
        options = new HistoryOptions
        {
            RepositoryPath = path ?? Dir,
            Range = options.Range, SinceCommit = options.SinceCommit, Branches = options.Branches, MaxDepth = options.MaxDepth,
            Unreachable = options.Unreachable, Submodules = options.Submodules, OccurrenceLimit = options.OccurrenceLimit,
            Threads = options.Threads, LibGit2Only = options.LibGit2Only, ReadPacks = options.ReadPacks, Since = options.Since,
        };
        var setup = ScanSetup.Create(new ScanSettings(), options.RepositoryPath);
        var sweep = new HistorySweep(setup.Scanner, options).Run();
        setup.Finish(sweep.Result, _ => null);
        return (sweep.Result, sweep);
    }

    public static string BigText(int lines, int secretLine, string secretText)
    {
        var sb = new StringBuilder();
        for (int i = 1; i <= lines; i++)
            sb.Append(i == secretLine ? secretText.TrimEnd('\n') : $"line {i:D6} plain generated content of a data file, nothing to see").Append('\n');
        return sb.ToString();
    }

    public void Dispose()
    {
        try
        {
            foreach (var f in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)) File.SetAttributes(f, FileAttributes.Normal);
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
