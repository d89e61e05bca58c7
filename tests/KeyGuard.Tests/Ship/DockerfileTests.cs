using Microsoft.Extensions.FileSystemGlobbing;

namespace KeyGuard.Tests.Ship;

/// <summary>
/// deploy/Dockerfile and .dockerignore, parsed (no container engine here to build them): a multi-arch build whose
/// architecture picks the NativeAOT runtime identifier, multi-arch base images, safe.directory for every user, a
/// non-root user, OCI labels, the native libraries next to the binary, and a build context without bin/, obj/ or .git.
/// </summary>
public sealed class DockerfileTests
{
    private sealed record Instruction(string Keyword, string Args, int Stage);

    /// <summary>Dockerfile instructions: comments dropped, backslash continuations joined, each with its stage index.</summary>
    private static List<Instruction> Parse(string text)
    {
        var result = new List<Instruction>();
        var current = "";
        int stage = -1;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0)) continue;
            if (line.TrimStart().StartsWith('#')) continue; // a comment inside a continued instruction
            if (line.EndsWith('\\')) { current += line[..^1] + " "; continue; }
            current += line;
            var trimmed = current.Trim();
            int space = trimmed.IndexOf(' ');
            var keyword = (space < 0 ? trimmed : trimmed[..space]).ToUpperInvariant();
            if (keyword == "FROM") stage++;
            result.Add(new Instruction(keyword, space < 0 ? "" : trimmed[(space + 1)..].Trim(), stage));
            current = "";
        }
        return result;
    }

    private static readonly string Root = ShipSupport.RepoRoot();
    private static readonly List<Instruction> Dockerfile = Parse(File.ReadAllText(Path.Combine(Root, "deploy/Dockerfile")));
    private static int FinalStage => Dockerfile.Max(i => i.Stage);

    [Fact]
    public void Parses_into_a_build_stage_and_a_final_stage()
    {
        Assert.Equal("FROM", Dockerfile[0].Keyword);
        Assert.Equal(1, FinalStage);
        Assert.All(Dockerfile, i => Assert.Matches("^[A-Z]+$", i.Keyword));
        var known = new HashSet<string> { "FROM", "ARG", "RUN", "WORKDIR", "COPY", "LABEL", "USER", "ENTRYPOINT", "CMD", "ENV" };
        Assert.All(Dockerfile, i => Assert.Contains(i.Keyword, known));
    }

    [Fact]
    public void Base_images_are_multi_arch_and_the_architecture_picks_the_runtime_identifier()
    {
        foreach (var from in Dockerfile.Where(i => i.Keyword == "FROM"))
        {
            Assert.DoesNotContain("--platform=linux/", from.Args); // no pinned architecture
            var image = from.Args.Split(' ')[0];
            Assert.Matches(@"^mcr\.microsoft\.com/dotnet/(sdk|runtime-deps):10\.0$", image); // multi-arch manifest tags
        }
        Assert.Contains(Dockerfile, i => i.Keyword == "ARG" && i.Args == "TARGETARCH" && i.Stage == 0);
        var publish = Dockerfile.Single(i => i.Keyword == "RUN" && i.Args.Contains("dotnet publish"));
        Assert.Contains("amd64) rid=linux-x64", publish.Args);
        Assert.Contains("arm64) rid=linux-arm64", publish.Args);
        Assert.Contains("-r \"$rid\" -p:PublishAot=true", publish.Args);
    }

    [Fact]
    public void Final_stage_trusts_mounted_checkouts_runs_as_non_root_and_has_oci_labels()
    {
        var final = Dockerfile.Where(i => i.Stage == FinalStage).ToList();
        Assert.Contains(final, i => i.Keyword == "RUN" && i.Args.Contains("git config --system --add safe.directory '*'"));

        var user = final.Last(i => i.Keyword == "USER").Args;
        Assert.DoesNotMatch(@"^(root|0)(:|$)", user);
        Assert.True(user == "$APP_UID" || int.TryParse(user.Split(':')[0], out int uid) && uid > 0, user);
        // Nothing after USER switches back.
        int userIndex = final.FindLastIndex(i => i.Keyword == "USER");
        Assert.DoesNotContain(final.Skip(userIndex + 1), i => i.Keyword == "RUN");

        var labels = string.Join(" ", final.Where(i => i.Keyword == "LABEL").Select(i => i.Args));
        foreach (var key in new[] { "title", "description", "licenses", "version" })
            Assert.Contains($"org.opencontainers.image.{key}=", labels);
        Assert.Contains("org.opencontainers.image.licenses=\"MIT\"", labels);

        var copy = final.Single(i => i.Keyword == "COPY" && i.Args.StartsWith("--from=build", StringComparison.Ordinal));
        Assert.Contains("/out/*.so", copy.Args); // libgit2 and libe_sqlite3 next to the binary
        Assert.Equal("[\"/usr/local/bin/keyguard\"]", final.Single(i => i.Keyword == "ENTRYPOINT").Args);
    }

    [Fact]
    public void Dockerignore_keeps_build_outputs_and_git_out_and_what_the_build_needs_in()
    {
        var patterns = File.ReadAllLines(Path.Combine(Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.DoesNotContain(patterns, p => p.StartsWith('!'));
        var matcher = new Matcher();
        foreach (var p in patterns) { matcher.AddInclude(p); matcher.AddInclude(p + "/**"); }
        bool Ignored(string path) => matcher.Match(path).HasMatches;

        foreach (var path in new[] { ".git/config", "src/KeyGuard.Cli/bin/Release/x.dll", "src/KeyGuard.Engine/obj/project.assets.json", "tests/KeyGuard.Tests/x.cs" })
            Assert.True(Ignored(path), path);
        foreach (var path in new[] { "src/KeyGuard.Cli/KeyGuard.Cli.csproj", "src/KeyGuard.Scan/Scanning/ScanSetup.cs", "patterns/aws.rules", "hooks/pre-commit", "Directory.Build.props" })
            Assert.False(Ignored(path), path);
    }
}
